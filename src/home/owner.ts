/**
 * Which process wrote a LOCK or broker.json, told apart from a later process that was given the
 * same pid. A pid alone is not enough: after a crash and a reboot (or a container restart) the
 * pid of a dead broker soon belongs to a shell, an editor, anything, and trusting it would keep
 * the store locked for ever and have `doctor` advise killing an innocent process.
 *
 * So each record also carries the writer's start time as the system reports it: on Linux field
 * 22 of `/proc/<pid>/stat` (clock ticks since boot, exact), elsewhere on Unix `ps -o lstart=`
 * (to the second). A record whose pid is alive but whose start time differs names another
 * process. Records without one (older versions; Windows) are judged by time instead: a process
 * that started after the record was written cannot have written it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The writer of a record: its pid and, where the system says, its start time. */
export interface ProcessIdentity {
  pid: number;
  /** Opaque start time of the process; equal for the same process, different after pid reuse. */
  start?: string;
}

/** `live`: the writer still runs. `dead`: no such process. `reused`: the pid is another process's now. */
export type OwnerState = 'live' | 'dead' | 'reused';

/** Slack for start times known only to the second (ps, btime) against file and clock times. */
const clockSlackMs = 2000;

/** Whether a process with this pid exists (EPERM: it does, as another user's). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface StartTime {
  /** Compared for equality only. */
  token: string;
  /** Wall-clock start, in ms since the epoch, to within a second or two. */
  atMs: number | undefined;
}

function linuxStart(pid: number): StartTime | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces and ')': split after the last one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = fields[22 - 3];
  if (!ticks || !/^\d+$/.test(ticks)) return undefined;
  const boot = bootTimeMs();
  return { token: ticks, atMs: boot === undefined ? undefined : boot + Number(ticks) * 10 };
}

let bootMs: number | null | undefined;
/** Boot time from /proc/stat; field 22 counts USER_HZ ticks (100 on every Linux build) from it. */
function bootTimeMs(): number | undefined {
  if (bootMs === undefined) {
    try {
      const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
      bootMs = m ? Number(m[1]) * 1000 : null;
    } catch {
      bootMs = null;
    }
  }
  return bootMs ?? undefined;
}

function psStart(pid: number): StartTime | undefined {
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (!out) return undefined;
    const at = Date.parse(out);
    return { token: out, atMs: Number.isNaN(at) ? undefined : at };
  } catch {
    return undefined;
  }
}

/** The start time of a running process, or undefined where the system does not say. */
function startOf(pid: number): StartTime | undefined {
  if (process.platform === 'win32') return undefined;
  if (process.platform === 'linux') {
    const fromProc = linuxStart(pid);
    if (fromProc || pid === process.pid) return fromProc;
    // No /proc (a restricted sandbox): fall through to ps.
  }
  return psStart(pid);
}

let self: ProcessIdentity | undefined;
/** This process, as it writes itself into LOCK and broker.json. */
export function selfIdentity(): ProcessIdentity {
  self ??= { pid: process.pid, start: startOf(process.pid)?.token };
  return self;
}

/**
 * Whether the process a record names is still the one that wrote it. `writtenAtMs` is when the
 * record was written (a file's mtime, a recorded start): used when the record has no start time.
 * When nothing can tell, a live pid is trusted: refusing a store is safer than sharing it.
 */
export function ownerState(owner: ProcessIdentity, writtenAtMs?: number): OwnerState {
  if (!isAlive(owner.pid)) return 'dead';
  if (owner.pid === process.pid) return owner.start === undefined || owner.start === selfIdentity().start ? 'live' : 'reused';
  const now = startOf(owner.pid);
  if (!now) return 'live';
  if (owner.start !== undefined) return owner.start === now.token ? 'live' : 'reused';
  if (writtenAtMs !== undefined && now.atMs !== undefined && now.atMs > writtenAtMs + clockSlackMs) return 'reused';
  return 'live';
}

/** Says what an `ownerState` means, for messages. */
export function describeOwner(owner: ProcessIdentity, state: OwnerState): string {
  switch (state) {
    case 'live':
      return `process ${owner.pid}`;
    case 'dead':
      return `process ${owner.pid}, which has exited`;
    case 'reused':
      return `process ${owner.pid}, which has exited (that pid now belongs to another program)`;
  }
}
