/**
 * One writer per store. The port election already picks one broker, but an election can be
 * fooled (a foreign program on one candidate port, an old broker still snapshotting while a new
 * one starts), so the store itself refuses a second live writer: `store/LOCK` names the owner.
 *
 * LOCK holds three lines: the owner's pid, its start time (see owner.ts, so a reused pid is not
 * mistaken for the owner) and a random nonce naming this generation of the lock. It is written
 * whole under a temporary name and hard-linked into place (link fails if LOCK exists), so it
 * appears exclusively and complete: nobody ever judges a half-written LOCK.
 *
 * Taking over a stale LOCK (its owner has exited) is the delicate part. "Read it, judge it
 * stale, remove it" is not atomic: between a racer's read and its remove, another racer may
 * have replaced the stale file by its own fresh one, which the first then removes, and both end
 * up holding the store. So nobody removes a LOCK it does not own. Instead, to replace the
 * generation it judged stale, a racer must first create the take-over marker named after that
 * generation (`LOCK.<generation>.1.takeover`, exclusively): only one racer per generation gets
 * it. The winner reads LOCK once more, and if it still is that generation, renames its own
 * file over it, atomically; otherwise (released, or already replaced) it backs off. Why this
 * holds: while LOCK is generation G, only the holder of a live marker for G may change it
 * (newcomers' link fails, G's owner is dead), and there is one such holder at a time, so the
 * re-read and the rename cannot be overtaken. Markers are removed once used; a racer that wakes
 * up late and recreates one re-reads LOCK, sees another generation and backs off. A marker left
 * by a racer that crashed inside that window names a dead process: the next racer takes
 * `…2.takeover` instead, and so on, without ever removing another's marker mid-race.
 *
 * The same lock, under another file name, makes the first registration of a terminal identity
 * happen once when several `peermesh` commands start together (cli/terminal-peer.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { BrokerError } from '../protocol/errors';
import { ownerState, selfIdentity, type OwnerState, type ProcessIdentity } from '../home/owner';

/** A LOCK (or take-over marker) as read from disk. */
interface Seen {
  /** Names this generation of the file: its nonce, or for older formats its inode and text. */
  generation: string;
  mtimeMs: number;
  owner: ProcessIdentity | undefined;
  nonce: string | undefined;
}

/** An unreadable LOCK younger than this may still be being written (by an older PeerMesh). */
const youngMs = 2000;
/** Rounds of look, judge, retry; someone else's take-over takes milliseconds. */
const maxAttempts = 200;
/** Markers tried per generation before giving up: each one means a racer crashed mid take-over. */
const maxMarkers = 20;

/** Nonces of the locks this process holds or is acquiring: its markers and LOCKs are live. */
const ours = new Set<string>();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class StoreLock {
  private constructor(
    private readonly file: string,
    private readonly nonce: string,
  ) {}

  /** Takes the lock (the file `name` in `dir`), or throws `unavailable` naming the live process that holds it. */
  static async acquire(dir: string, name = 'LOCK'): Promise<StoreLock> {
    const file = path.join(dir, name);
    const nonce = randomBytes(8).toString('hex');
    const me = selfIdentity();
    const text = `${me.pid}\n${me.start ?? ''}\n${nonce}\n`;
    const tmp = `${file}.${nonce}.tmp`;
    ours.add(nonce);
    let lock: StoreLock | undefined;
    try {
      await fs.writeFile(tmp, text, { mode: 0o600 });
      for (let attempt = 0; attempt < maxAttempts; attempt++) {
        if (await createExclusive(tmp, file, text)) return (lock = new StoreLock(file, nonce));
        const seen = await read(file);
        if (!seen) continue; // released meanwhile
        const state = judge(seen);
        if (state === 'live') {
          const pid = seen.owner!.pid;
          throw new BrokerError('unavailable', pid === process.pid
            ? `the store in ${dir} is already open in this process`
            : `the store in ${dir} is in use by process ${pid}`);
        }
        if (state !== 'busy' && (await takeOver(file, seen, tmp, text))) return (lock = new StoreLock(file, nonce));
        // Being written or taken over by someone else: look again in a moment.
        await sleep(2 + Math.random() * 8);
      }
    } finally {
      if (!lock) ours.delete(nonce);
      await fs.rm(tmp, { force: true });
    }
    throw new BrokerError('unavailable', `could not lock the store in ${dir}`);
  }

  /** Who holds the LOCK in `dir` and whether it still runs, for `doctor`; undefined if free or unreadable. */
  static async inspect(dir: string): Promise<{ owner: ProcessIdentity; state: OwnerState } | undefined> {
    const seen = await read(path.join(dir, 'LOCK')).catch(() => undefined);
    if (!seen?.owner) return undefined;
    return { owner: seen.owner, state: ownerState(seen.owner, seen.mtimeMs) };
  }

  /** Removes LOCK if it is still this one (a lock taken over from this process is not ours to remove). */
  async release(): Promise<void> {
    if (!ours.delete(this.nonce)) return;
    const seen = await read(this.file);
    if (seen?.nonce === this.nonce) await fs.rm(this.file, { force: true });
  }
}

/** `live`: refuse. `busy`: look again. `stale`: take it over. */
function judge(seen: Seen): 'live' | 'busy' | 'stale' {
  if (!seen.owner) return Date.now() - seen.mtimeMs < youngMs ? 'busy' : 'stale';
  // Our own pid: live only if it is one of ours; else an earlier process that had our pid.
  if (seen.owner.pid === process.pid) return seen.nonce !== undefined && ours.has(seen.nonce) ? 'live' : 'stale';
  return ownerState(seen.owner, seen.mtimeMs) === 'live' ? 'live' : 'stale';
}

/** Replaces the generation `stale` of LOCK by our file `tmp`; false if someone else did or is doing it. */
async function takeOver(file: string, stale: Seen, tmp: string, text: string): Promise<boolean> {
  const markers: string[] = [];
  try {
    for (let k = 1; k <= maxMarkers; k++) {
      const marker = `${file}.${stale.generation}.${k}.takeover`;
      if (await createExclusive(tmp, marker, text)) {
        markers.push(marker);
        const now = await read(file);
        if (now?.generation !== stale.generation) return false;
        try {
          await fs.rename(tmp, file);
        } catch (e) {
          // Windows refuses to replace a file another process has open (a reader): look again.
          if ((e as NodeJS.ErrnoException).code === 'EPERM' || (e as NodeJS.ErrnoException).code === 'EACCES') return false;
          throw e;
        }
        return true;
      }
      const other = await read(marker);
      if (!other) return false; // just used and removed: LOCK has changed
      if (judge(other) !== 'stale') return false; // a live racer is on it
      markers.push(marker); // left by a racer that died mid take-over
    }
    return false;
  } finally {
    for (const m of markers) await fs.rm(m, { force: true });
  }
}

/**
 * Creates `target` exclusively with the content of `tmp`, complete from the first instant:
 * a hard link. Where the file system has no hard links, an exclusive create (then a reader may
 * briefly see it empty, which `judge` calls busy).
 */
async function createExclusive(tmp: string, target: string, text: string): Promise<boolean> {
  try {
    await fs.link(tmp, target);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw e;
  }
  try {
    await fs.writeFile(target, text, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** Reads a LOCK or marker (content and inode from one open file); undefined if there is none. */
async function read(file: string): Promise<Seen | undefined> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const stat = await fh.stat();
    const text = await fh.readFile('utf8');
    // pid, start time, nonce; older versions wrote the pid alone.
    const [pidLine = '', start = '', nonce = ''] = text.split('\n');
    const pid = Number(pidLine);
    const complete = text.endsWith('\n') && Number.isInteger(pid) && pid > 0;
    return {
      generation: nonce || createHash('sha256').update(`${stat.ino}:${text}`).digest('hex').slice(0, 16),
      mtimeMs: stat.mtimeMs,
      owner: complete ? { pid, start: start || undefined } : undefined,
      nonce: nonce || undefined,
    };
  } finally {
    await fh.close();
  }
}
