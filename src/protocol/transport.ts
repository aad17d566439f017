/**
 * JSON-RPC framing over a WebSocket for vscode-jsonrpc: one JSON-RPC message per text frame.
 * The reader validates the envelope itself, so a frame that is not JSON, not JSON-RPC or too
 * large gets an error response here and never reaches the connection's dispatcher; lone
 * surrogates in what it passes on are made well-formed (well-formed.ts).
 */
import {
  AbstractMessageReader, AbstractMessageWriter, createMessageConnection, type DataCallback,
  type Disposable, type Message, type MessageConnection,
} from 'vscode-jsonrpc/node';
import type WebSocket from 'ws';
import { limits } from './limits';
import { makeWellFormed, mayHoldLoneSurrogate } from './well-formed';

/** JSON-RPC error codes used for frames rejected before dispatch. */
export const frameErrors = { parse: -32700, invalidRequest: -32600 } as const;

/**
 * Lets the connection's owner turn frames away before they cost anything: the broker's answer
 * to connections that have not proved the mesh's secret. Refusing a frame drops it unanswered;
 * the gate's owner is expected to end the connection.
 */
export interface FrameGate {
  /** Before a frame is parsed: false drops it. */
  frame(bytes: number): boolean;
  /** A parsed message, before dispatch: false drops it. `method` is undefined for a response. */
  message(method: string | undefined): boolean;
}

class WsReader extends AbstractMessageReader {
  constructor(
    private readonly ws: WebSocket,
    private readonly maxFrameBytes: number,
    private readonly onBadFrame: (id: number | string | null, code: number, message: string) => void,
    private readonly gate?: FrameGate,
  ) {
    super();
    ws.on('close', () => this.fireClose());
    ws.on('error', (e) => this.fireError(e));
  }

  listen(callback: DataCallback): Disposable {
    const onMessage = (data: WebSocket.RawData, isBinary: boolean) => {
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer | ArrayBuffer).byteLength;
      if (this.gate && !this.gate.frame(size)) return;
      if (size > this.maxFrameBytes) {
        this.onBadFrame(leadingId(data), frameErrors.invalidRequest, `frame of ${size} bytes is larger than the ${this.maxFrameBytes}-byte limit`);
        return;
      }
      if (isBinary) {
        this.onBadFrame(null, frameErrors.invalidRequest, 'binary frames are not accepted; send JSON-RPC as text');
        return;
      }
      let msg: unknown;
      const text = data.toString();
      try {
        msg = JSON.parse(text);
      } catch {
        this.onBadFrame(null, frameErrors.parse, 'frame is not valid JSON');
        return;
      }
      if (mayHoldLoneSurrogate(text)) msg = makeWellFormed(msg);
      const problem = envelopeProblem(msg);
      if (problem) {
        const id = typeof msg === 'object' && msg !== null && 'id' in msg ? (msg as { id: unknown }).id : null;
        this.onBadFrame(typeof id === 'number' || typeof id === 'string' ? id : null, frameErrors.invalidRequest, problem);
        return;
      }
      if (this.gate && !this.gate.message((msg as { method?: string }).method)) return;
      callback(msg as Message);
    };
    this.ws.on('message', onMessage);
    return { dispose: () => this.ws.off('message', onMessage) };
  }
}

class WsWriter extends AbstractMessageWriter {
  constructor(private readonly ws: WebSocket) {
    super();
    ws.on('close', () => this.fireClose());
  }

  write(msg: Message): Promise<void> {
    if (this.ws.readyState !== this.ws.OPEN) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.send(JSON.stringify(msg), (err) => {
        if (err) this.fireError(err, msg, 1);
        resolve();
      });
    });
  }

  end(): void {
    /* the socket's owner closes it */
  }
}

/** Bytes of an oversized frame looked at for its id. */
const idHeadBytes = 512;

/**
 * The id of an oversized frame, read from its first bytes without parsing the rest, so its
 * sender gets an answer it can match; null if none is there. Only the envelope before
 * `"params"` is searched: an `"id"` key further on may belong to a nested object.
 */
function leadingId(data: WebSocket.RawData): number | string | null {
  const first = Array.isArray(data) ? data[0] : Buffer.isBuffer(data) ? data : Buffer.from(data);
  const head = first.subarray(0, idHeadBytes).toString('utf8');
  const envelope = head.split('"params"')[0];
  const found = /"id"\s*:\s*(-?\d{1,15}|"[^"\\]{1,200}")\s*[,}]/.exec(envelope);
  return found ? (JSON.parse(found[1]) as number | string) : null;
}

/** What is wrong with a parsed frame as a JSON-RPC 2.0 message, or undefined if nothing. */
function envelopeProblem(msg: unknown): string | undefined {
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return 'frame must be one JSON-RPC object (batches are not supported)';
  const m = msg as Record<string, unknown>;
  if (m.jsonrpc !== '2.0') return 'frame is not JSON-RPC 2.0 ("jsonrpc": "2.0" missing)';
  if ('method' in m) {
    if (typeof m.method !== 'string' || m.method.length === 0 || m.method.length > 100) return 'method must be a non-empty string';
    if ('id' in m && typeof m.id !== 'number' && typeof m.id !== 'string') return 'id must be a number or a string';
    if ('params' in m && (typeof m.params !== 'object' || m.params === null)) return 'params must be an object or an array';
    return undefined;
  }
  if ('id' in m && ('result' in m || 'error' in m)) return undefined;
  return 'frame is neither a request, a notification nor a response';
}

/**
 * A vscode-jsonrpc connection over `ws`; bad frames are answered with a JSON-RPC error. The
 * broker reads with the request limit; a peer reads answers, which may be larger (a page of
 * big state values), up to what its socket accepts.
 */
export function wsConnection(ws: WebSocket, opts: { maxFrameBytes?: number; onBadFrame?: (message: string) => void; gate?: FrameGate } = {}): MessageConnection {
  const onBadFrame = opts.onBadFrame;
  const reader = new WsReader(ws, opts.maxFrameBytes ?? limits.frameBytes, (id, code, message) => {
    onBadFrame?.(message);
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ jsonrpc: '2.0', id, error: { code, message, data: { reason: 'badFrame' } } }));
  }, opts.gate);
  return createMessageConnection(reader, new WsWriter(ws));
}
