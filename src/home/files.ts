/**
 * Writing files so that a crash leaves either the old content or the new, never a mix: write a
 * temporary file beside the target (named per process, so two writers never share one), flush
 * it, rename it over the target, and flush the folder so the rename itself survives.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0600). */
  mode?: number;
  /** fsync the data and the folder (default true); off for files that are only conveniences. */
  durable?: boolean;
}

export async function atomicWrite(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const durable = opts.durable ?? true;
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await fs.open(tmp, 'w', opts.mode ?? 0o600);
  try {
    await fh.writeFile(data);
    if (durable) await fh.datasync();
  } catch (e) {
    await fh.close();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  if (durable) await syncDir(path.dirname(file));
}

export async function syncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // Some file systems refuse fsync on folders; the rename is still atomic.
  } finally {
    await fh.close();
  }
}
