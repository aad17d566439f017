/**
 * What claims that follow their code need of the file system: a claimed file's text, and word
 * when a file in a folder changes. A port, so the core's rules run on real files in tests and
 * the broker, and could run on another file system.
 *
 * Folders are watched, not files: an editor or an agent's edit tool that writes a temporary
 * file and renames it over the old one replaces the file (a new inode), and a watch on the old
 * file would hear nothing after that. One watch per folder, whatever the number of files in it.
 */
import fs from 'node:fs';
import path from 'node:path';

/** What a file's size and modification time say of whether it changed since it was last read. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
}

export interface FileAccess {
  /** The file's size and modification time, or null when it is missing or not a file. */
  stat(file: string): FileStamp | null;
  /** The file's text (UTF-8), or null when it is missing, not a file, or over `maxBytes`. */
  read(file: string, maxBytes: number): string | null;
  /**
   * Calls `changed` with the path of a file in `dir` that changed (or null when the system
   * could not say which), until closed. Null when the folder cannot be watched.
   */
  watch(dir: string, changed: (file: string | null) => void, failed: (error: Error) => void): { close(): void } | null;
}

export const nodeFiles: FileAccess = {
  stat(file) {
    try {
      const stat = fs.statSync(file);
      return stat.isFile() ? { size: stat.size, mtimeMs: stat.mtimeMs } : null;
    } catch {
      return null;
    }
  },
  read(file, maxBytes) {
    try {
      const stat = fs.statSync(file);
      if (!stat.isFile() || stat.size > maxBytes) return null;
      return fs.readFileSync(file, 'utf8');
    } catch {
      return null;
    }
  },
  watch(dir, changed, failed) {
    try {
      // Not persistent: a watch must never keep a broker's process alive on its own.
      const watcher = fs.watch(dir, { persistent: false }, (_event, name) => changed(name ? path.join(dir, name.toString()) : null));
      watcher.on('error', failed);
      return { close: () => watcher.close() };
    } catch {
      return null;
    }
  },
};
