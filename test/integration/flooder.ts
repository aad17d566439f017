/**
 * A connection flood from another process (fixtures/flooder.mjs), as a hostile local program
 * would send it: for the flood tests and the flood benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { protocolVersion } from '../../src/protocol/methods';

/** What the flooder keeps in flight: every socket the broker closes is opened again at once. */
export interface FloodShape {
  /** TCP sockets that never send a request. */
  tcp: number;
  /** WebSockets that upgrade and never say hello. */
  ws: number;
  /** WebSockets that each send as many `mesh/hello`s without a proof as the broker answers, then connect again. */
  hellers: number;
}

export interface FloodStats {
  opened: { tcp: number; ws: number };
  closedByBroker: number;
  hellos: { sent: number; answered: number; refused: number };
}

export interface Flooder {
  child: ChildProcess;
  /** Settles once the flood bites: a hello refused, or the broker has closed as many silent sockets as are kept. */
  ready: Promise<void>;
  /** Ends the flood; resolves with what it did. */
  stop(): Promise<FloodStats>;
  /** Ends it at once (on a failure). */
  kill(): void;
}

export function startFlooder(port: number, shape: FloodShape): Flooder {
  const script = path.join(__dirname, 'fixtures', 'flooder.mjs');
  const args = [script, port, shape.tcp, shape.ws, shape.hellers, protocolVersion].map(String);
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout! });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gone = (what: string) => exited.then(() => Promise.reject(new Error(`the flooder exited before ${what}`)));
  // The first line says it is ready, the last one carries the stats.
  const ready = Promise.race([new Promise<void>((resolve) => lines.once('line', () => resolve())), gone('the flood began')]);
  ready.catch(() => undefined); // reported by whoever waits for it
  return {
    child,
    ready,
    stop: async () => {
      await ready;
      const stats = new Promise<FloodStats>((resolve) => lines.once('line', (l) => resolve(JSON.parse(l) as FloodStats)));
      child.stdin!.write('stop\n');
      return Promise.race([stats, gone('it gave its stats')]);
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
