/**
 * A mesh for one integration test: a temporary home with a broker on it, handed to the test
 * and torn down afterwards whatever the test did (passed, failed, timed out in a step, or
 * killed the broker itself). Tear-down closes the clients the fixture made, kills the
 * processes it started, stops the broker and removes the home.
 *
 *   it('…', () => withBroker(async (m) => {
 *     const peer = await m.observer('reader');
 *     …
 *   }));
 *
 * `withBroker` runs `peermesh serve` (the built CLI: run `node esbuild.mjs` first);
 * `withInProcessBroker` hosts the broker in the test process, for tests that reach into it.
 */
import type { Broker} from '../../src/broker/broker';
import { type BrokerOptions } from '../../src/broker/broker';
import type { MeshHome } from '../../src/home/home';
import type { PeerClient } from '../../src/client/peer';
import { observer, runCli, spawnCli, spawnPeer, tempHome, type Proc } from './harness';
import { startBroker } from '../start-broker';

/** What every fixture hands its test. */
export interface MeshFixture {
  /** The temporary mesh home (`PEERMESH_HOME`). */
  dir: string;
  home: MeshHome;
  /** The environment that points the CLI and fixture peers at this home. */
  env: NodeJS.ProcessEnv;
  /** The broker's loopback port and process id. */
  port: number;
  pid: number;
  /** A client in the test process that never hosts the broker; closed at tear-down. */
  observer(name?: string): Promise<PeerClient>;
  /** Runs the CLI to completion against this home. */
  cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Starts a fixture peer (test/integration/fixtures/peer.ts, built by `buildFixtures`); killed at tear-down. */
  spawnPeer(name: string): Proc;
  /** Runs `fn` at tear-down, before the broker stops; the last registered runs first. */
  defer(fn: () => unknown): void;
}

/** A fixture whose broker is a `peermesh serve` process. */
export interface ProcessBrokerFixture extends MeshFixture {
  broker: Proc;
}

/** A fixture whose broker runs in the test process. */
export interface InProcessBrokerFixture extends MeshFixture {
  broker: Broker;
}

export interface WithBrokerOptions {
  /** More `peermesh serve` flags, e.g. `['--grace', '2']`. */
  serveArgs?: string[];
}

/** How long tear-down waits for SIGTERM before it sends SIGKILL. */
const stopWithinMs = 10_000;

/** Runs `test` against a `peermesh serve` broker on a fresh home; always tears down. */
export async function withBroker<T>(test: (m: ProcessBrokerFixture) => Promise<T>): Promise<T>;
export async function withBroker<T>(opts: WithBrokerOptions, test: (m: ProcessBrokerFixture) => Promise<T>): Promise<T>;
export async function withBroker<T>(
  a: WithBrokerOptions | ((m: ProcessBrokerFixture) => Promise<T>),
  b?: (m: ProcessBrokerFixture) => Promise<T>,
): Promise<T> {
  const [opts, test] = typeof a === 'function' ? [{}, a] : [a, b!];
  return run(async (base, teardown) => {
    const broker = spawnCli(['serve', '--json', ...(opts.serveArgs ?? [])], base.env);
    teardown.push(() => stop(broker));
    const info = await broker.waitFor((o) => o.running === false, 20_000, 'broker start');
    return test({ ...base, broker, port: info.port as number, pid: info.pid as number });
  });
}

/** Runs `test` against a broker hosted in this process on a fresh home; always tears down. */
export async function withInProcessBroker<T>(
  test: (m: InProcessBrokerFixture) => Promise<T>,
  opts: Omit<BrokerOptions, 'home' | 'port'> = {},
): Promise<T> {
  return run(async (base, teardown) => {
    const broker = await startBroker({ ...opts, home: base.home });
    const port = broker.info.port;
    teardown.push(() => broker.close());
    return test({ ...base, broker, port, pid: process.pid });
  });
}

type Base = Omit<MeshFixture, 'port' | 'pid'>;

/**
 * The shared part: the home, the helpers, and a tear-down that runs every step even when one
 * fails. A tear-down failure fails the test only if the test itself passed, so it never hides
 * the test's own error.
 */
async function run<T>(start: (base: Base, teardown: Array<() => unknown>) => Promise<T>): Promise<T> {
  const t = tempHome();
  const brokerSteps: Array<() => unknown> = [];
  const clientSteps: Array<() => unknown> = [];
  const base: Base = {
    dir: t.dir,
    home: t.home,
    env: t.env,
    async observer(name) {
      const client = await observer(t.home, name);
      clientSteps.push(() => client.close());
      return client;
    },
    cli: (...args) => runCli(args, t.env),
    spawnPeer(name) {
      const peer = spawnPeer(name, t.env);
      clientSteps.push(() => stop(peer, 'SIGKILL'));
      return peer;
    },
    defer: (fn) => void clientSteps.push(fn),
  };
  const teardown = async (): Promise<unknown[]> => {
    const errors: unknown[] = [];
    // Clients and peers first (last made, first gone), then the broker, then the home.
    for (const step of [...[...clientSteps].reverse(), ...[...brokerSteps].reverse(), t.cleanup]) {
      try {
        await step();
      } catch (e) {
        errors.push(e);
      }
    }
    return errors;
  };
  let result: T;
  try {
    result = await start(base, brokerSteps);
  } catch (e) {
    await teardown();
    throw e;
  }
  const errors = await teardown();
  if (errors.length > 0) throw new AggregateError(errors, 'tearing down the mesh fixture failed');
  return result;
}

/** Stops a process and waits for it: `signal` first, SIGKILL if it does not exit in time. */
async function stop(p: Proc, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  p.kill(signal);
  const timer = setTimeout(() => p.kill('SIGKILL'), stopWithinMs);
  try {
    await p.exited;
  } finally {
    clearTimeout(timer);
  }
}
