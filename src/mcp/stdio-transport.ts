/**
 * The stdio transport of `peermesh mcp`, in place of the SDK's `StdioServerTransport`: the
 * same framing (one JSON message per line), but every line gets its JSON-RPC 2.0 answer.
 * A line that is not JSON, not a request, or whose params do not fit its method is answered
 * here with -32700, -32600 or -32602 (see wire.ts); a line over the limit is answered and
 * skipped; batches follow the negotiated protocol version. Only well-formed messages reach the
 * SDK, and stdout carries nothing but JSON-RPC lines.
 */
import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { nullLogger, type Logger } from '../core/logger';
import { limits } from '../protocol/limits';
import { LineReader } from './lines';
import { classify, errorReply, parseLine, rpcError, type AnsweredRequests, type ErrorReply, type WireId } from './wire';

export interface JsonRpcStdioOptions {
  /** The requests the server answers, with their params schemas (`answeredRequests`). */
  answered: AnsweredRequests;
  stdin?: Readable;
  stdout?: Writable;
  log?: Logger;
  /** Longest line read, in bytes. */
  maxLineBytes?: number;
}

/**
 * Protocol versions with JSON-RPC batches: 2025-03-26 added them (receivers MUST accept them),
 * 2025-06-18 took them out again; 2024-11-05 never had them.
 */
const batchingVersions: ReadonlySet<string> = new Set(['2025-03-26']);

type Answer = JSONRPCMessage | ErrorReply;

/** The answers of one batch, sent as one array once every request in it is answered. */
interface Batch {
  answers: Answer[];
  waiting: number;
  dispatching: boolean;
}

/** A request handed to the server and not answered yet. */
interface InFlight {
  method: string;
  batch?: Batch;
}

export class JsonRpcStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];

  private readonly stdin: Readable;
  private readonly stdout: Writable;
  private readonly log: Logger;
  private readonly reader: LineReader;
  private readonly maxLineBytes: number;
  /** Requests in flight, by `idKey`: duplicates are refused, batch answers collected. */
  private readonly inFlight = new Map<string, InFlight>();
  /** The protocol version agreed in `initialize`; none before. */
  private version: string | undefined;
  private started = false;

  constructor(private readonly opts: JsonRpcStdioOptions) {
    this.stdin = opts.stdin ?? process.stdin;
    this.stdout = opts.stdout ?? process.stdout;
    this.log = opts.log ?? nullLogger;
    this.maxLineBytes = opts.maxLineBytes ?? limits.mcpLineBytes;
    this.reader = new LineReader(this.maxLineBytes);
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('the stdio transport is already started');
    this.started = true;
    this.stdin.on('data', this.ondata);
    this.stdin.on('error', this.onstdinerror);
  }

  async close(): Promise<void> {
    this.stdin.off('data', this.ondata);
    this.stdin.off('error', this.onstdinerror);
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.reader.clear();
    this.onclose?.();
  }

  /** Sends a message from the server; an answer to a request in a batch waits for the rest of its batch. */
  send(message: JSONRPCMessage): Promise<void> {
    if (('result' in message || 'error' in message) && message.id !== undefined) {
      const key = idKey(message.id);
      const entry = this.inFlight.get(key);
      if (entry) {
        this.inFlight.delete(key);
        if (entry.method === 'initialize' && 'result' in message && typeof message.result.protocolVersion === 'string') this.version = message.result.protocolVersion;
        if (entry.batch) {
          entry.batch.answers.push(message);
          entry.batch.waiting--;
          return this.flush(entry.batch);
        }
      }
    }
    return this.write(message);
  }

  private readonly ondata = (chunk: Buffer | string): void => {
    for (const event of this.reader.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)) {
      if ('tooLong' in event) {
        const mib = this.maxLineBytes / (1024 * 1024);
        this.reply(errorReply(null, rpcError.invalidRequest, `Invalid Request: the line is longer than ${this.maxLineBytes} bytes (${mib} MiB), the most one message may be; it is skipped up to its newline`));
      } else if (event.line.trim() !== '') {
        // Blank lines carry no message; they are not worth an answer.
        this.online(event.line);
      }
    }
  };

  private readonly onstdinerror = (error: Error): void => {
    this.onerror?.(error);
  };

  private online(line: string): void {
    const parsed = parseLine(line);
    if ('reply' in parsed) return this.reply(parsed.reply);
    if (!Array.isArray(parsed.value)) return this.single(parsed.value);
    if (parsed.value.length === 0) return this.reply(errorReply(null, rpcError.invalidRequest, 'Invalid Request: an empty batch'));
    if (this.version === undefined || !batchingVersions.has(this.version)) {
      const when = this.version ? `JSON-RPC batches are not part of MCP ${this.version}, the version agreed at initialize` : 'no JSON-RPC batch before initialize (nor initialize in one)';
      return this.reply(errorReply(null, rpcError.invalidRequest, `Invalid Request: ${when}; send one message per line`));
    }
    this.batch(parsed.value);
  }

  private single(value: unknown): void {
    const verdict = classify(value, this.opts.answered);
    if (verdict.kind === 'reply') return this.reply(verdict.reply);
    if (verdict.kind === 'drop') return this.log.warn(`ignored ${verdict.why}`);
    const refused = this.admit(verdict.message);
    if (refused) return this.reply(refused);
    this.deliver(verdict.message);
  }

  /** Hands each element of a batch on, and answers the batch with one array (JSON-RPC section 6). */
  private batch(values: unknown[]): void {
    const batch: Batch = { answers: [], waiting: 0, dispatching: true };
    const deliveries: JSONRPCMessage[] = [];
    for (const value of values) {
      const verdict = classify(value, this.opts.answered);
      if (verdict.kind === 'drop') {
        this.log.warn(`ignored ${verdict.why} in a batch`);
        continue;
      }
      if (verdict.kind === 'reply') {
        batch.answers.push(verdict.reply);
        continue;
      }
      const message = verdict.message;
      const refused = 'method' in message && message.method === 'initialize' && 'id' in message
        ? errorReply(message.id, rpcError.invalidRequest, 'Invalid Request: initialize must not be part of a batch')
        : this.admit(message, batch);
      if (refused) batch.answers.push(refused);
      else deliveries.push(message);
    }
    // Every request is counted before any is handed on: the server may answer one at once.
    for (const message of deliveries) this.deliver(message);
    batch.dispatching = false;
    void this.flush(batch);
  }

  /**
   * Registers a request as in flight, or refuses it when its id already is: the server keeps
   * its requests by id, so the answers could not be told apart.
   */
  private admit(message: JSONRPCMessage, batch?: Batch): ErrorReply | undefined {
    if (!('method' in message && 'id' in message)) return undefined;
    const key = idKey(message.id);
    if (this.inFlight.has(key)) return errorReply(message.id, rpcError.invalidRequest, `Invalid Request: id ${JSON.stringify(message.id)} is already used by a request in progress`);
    this.inFlight.set(key, { method: message.method, batch });
    if (batch) batch.waiting++;
    return undefined;
  }

  private deliver(message: JSONRPCMessage): void {
    try {
      this.onmessage?.(message);
    } catch (e) {
      this.onerror?.(e as Error);
    }
    if ('method' in message && message.method === 'notifications/cancelled') {
      const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
      // The server acts on the cancel in a microtask queued just now, by id; freeing the id
      // after it means a request that reuses the id at once is refused, not cancelled unseen.
      if (typeof requestId === 'string' || typeof requestId === 'number') queueMicrotask(() => this.cancelled(requestId));
    }
  }

  /** A cancelled request is answered by nobody: stop waiting for it. */
  private cancelled(id: WireId): void {
    const entry = this.inFlight.get(idKey(id));
    if (!entry) return;
    this.inFlight.delete(idKey(id));
    if (entry.batch) {
      entry.batch.waiting--;
      void this.flush(entry.batch);
    }
  }

  private flush(batch: Batch): Promise<void> {
    if (batch.dispatching || batch.waiting > 0 || batch.answers.length === 0) return Promise.resolve();
    const answers = batch.answers.splice(0);
    return this.write(answers);
  }

  private reply(reply: ErrorReply): void {
    this.log.debug(`answered ${reply.error.code} for id ${JSON.stringify(reply.id)}: ${reply.error.message.slice(0, 200)}`);
    void this.write(reply);
  }

  private write(message: Answer | Answer[]): Promise<void> {
    return new Promise((resolve) => {
      if (this.stdout.write(JSON.stringify(message) + '\n')) resolve();
      else this.stdout.once('drain', resolve);
    });
  }
}

/** One key per JSON-RPC id: 1 and "1" are different ids. */
function idKey(id: WireId): string {
  return typeof id === 'number' ? `n:${id}` : `s:${id}`;
}
