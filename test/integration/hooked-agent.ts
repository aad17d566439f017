/**
 * A test's handle on an agent process (fixtures/agent-process.ts): its tool calls go through
 * its own `peermesh mcp`, its hooks run as its own children, so the hooks and the bridge share
 * the agent process as an ancestor, as they do under a real client.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { buildFixture, cliPath } from './harness';
import type { ProcessRun } from './run-process';

/** A hook (or any command) the agent ran. */
export type HookRun = ProcessRun;

export interface ToolRun {
  text: string;
  data: Record<string, unknown>;
  isError: boolean;
}

let fixture: Promise<string> | undefined;

export class HookedAgent {
  private next = 1;
  private readonly waiting = new Map<number, (m: Record<string, unknown>) => void>();
  stderr = '';

  private constructor(readonly child: ChildProcess, readonly peer: { id: string; name: string }) {}

  /** Starts an agent process whose MCP client says it is `clientName`, working in `cwd`. */
  static async start(clientName: string, env: NodeJS.ProcessEnv, cwd: string): Promise<HookedAgent> {
    fixture ??= buildFixture('agent-process');
    const child = fork(await fixture, [cliPath, clientName, cwd], { env, cwd, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += String(d)));
    const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
      child.once('message', (m) => resolve(m as Record<string, unknown>));
      child.once('exit', (code) => reject(new Error(`agent process exited (${code}): ${stderr}`)));
    });
    const agent = new HookedAgent(child, ready.peer as { id: string; name: string });
    child.on('message', (m: Record<string, unknown>) => agent.waiting.get(m.id as number)?.(m));
    child.stderr?.on('data', (d) => (agent.stderr += String(d)));
    return agent;
  }

  private ask(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (m) => {
        this.waiting.delete(id);
        if (typeof m.error === 'string') reject(new Error(m.error));
        else resolve(m);
      });
      this.child.send({ id, ...message });
    });
  }

  async call(name: string, args: Record<string, unknown> = {}): Promise<ToolRun> {
    return (await this.ask({ op: 'call', name, args })).result as ToolRun;
  }

  async ok(name: string, args: Record<string, unknown> = {}): Promise<ToolRun> {
    const r = await this.call(name, args);
    if (r.isError) throw new Error(`${name} failed: ${r.text}`);
    return r;
  }

  /** Runs `peermesh hook <argv…>` as this agent's child, with `input` on stdin. */
  async hook(argv: string[], input: string, cwd: string): Promise<HookRun> {
    return (await this.ask({ op: 'hook', argv, input, cwd })) as unknown as HookRun;
  }

  /** Runs any command as this agent's child (say `git commit`). */
  async exec(file: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<HookRun> {
    return (await this.ask({ op: 'exec', file, args, cwd, env })) as unknown as HookRun;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ id: 0, op: 'close' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}
