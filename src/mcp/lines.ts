/**
 * Newline-delimited input with a bound: the MCP stdio transport is one JSON-RPC message per
 * line, and a line longer than the limit is reported once and skipped up to its newline, so a
 * runaway writer can neither exhaust memory nor wedge the reader (the SDK's own buffer gives up
 * the whole connection past 10 MB).
 */

/** What the reader found: a whole line, or a line over the limit (already discarded). */
export type LineEvent = { line: string } | { tooLong: true };

export class LineReader {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Inside a line that went over the limit: drop bytes until its newline. */
  private skipping = false;

  constructor(private readonly maxBytes: number) {}

  /** Feeds a chunk; returns the events it completes, in order. */
  push(chunk: Buffer): LineEvent[] {
    const events: LineEvent[] = [];
    let start = 0;
    while (start <= chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      if (!this.skipping) {
        if (this.size + end - start > this.maxBytes) {
          // Report as soon as the limit is crossed, not when (or whether) the newline comes.
          events.push({ tooLong: true });
          this.clear();
          this.skipping = true;
        } else if (end > start) {
          this.chunks.push(chunk.subarray(start, end));
          this.size += end - start;
        }
      }
      if (newline === -1) break;
      if (!this.skipping) events.push({ line: this.take() });
      this.skipping = false;
      start = newline + 1;
    }
    return events;
  }

  /** Forgets a partial line (when the transport closes). */
  clear(): void {
    this.chunks = [];
    this.size = 0;
  }

  private take(): string {
    const line = Buffer.concat(this.chunks, this.size).toString('utf8');
    this.clear();
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  }
}
