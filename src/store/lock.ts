/**
 * One writer per store. The port election already picks one broker, but an election can be
 * fooled (a foreign program on one candidate port, an old broker still snapshotting while a new
 * one starts), so the store itself refuses a second live writer: `store/LOCK`, created
 * exclusively, names the owning pid; a lock whose process is dead is taken over.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { BrokerError } from '../protocol/errors';

export class StoreLock {
  private constructor(private readonly file: string) {}

  /** Takes the lock, or throws `unavailable` naming the live process that holds it. */
  static async acquire(dir: string): Promise<StoreLock> {
    const file = path.join(dir, 'LOCK');
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await fs.writeFile(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
        return new StoreLock(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const owner = Number.parseInt(await fs.readFile(file, 'utf8').catch(() => ''), 10);
      if (owner === process.pid) throw new BrokerError('unavailable', `the store in ${dir} is already open in this process`);
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        throw new BrokerError('unavailable', `the store in ${dir} is in use by process ${owner}`);
      }
      // Left by a process that died (kill -9, crash): remove it and race for it again.
      await fs.rm(file, { force: true });
    }
    throw new BrokerError('unavailable', `could not lock the store in ${dir}`);
  }

  async release(): Promise<void> {
    await fs.rm(this.file, { force: true });
  }
}

/** Whether a process with this pid exists (EPERM: it does, as another user's). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
