/**
 * The smallest WebSocket client a hook needs: text frames over one loopback connection
 * (RFC 6455: the HTTP upgrade with its key check, masked frames out, fragmented frames in,
 * pings answered, close). The `ws` package does all of this and much more, but loading it
 * costs a hook more start-up time (tens of milliseconds, on every tool call of every agent)
 * than the whole conversation with the broker takes; the broker itself still uses `ws`.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

export interface TextSocket {
  /** The upgrade answer's headers, by lower-case name. */
  headers: Record<string, string>;
  send(text: string): void;
  /** Called with each whole text message. */
  onText(listener: (text: string) => void): void;
  /** Called once when the connection ends, whichever side ended it. */
  onClose(listener: (why: string) => void): void;
  close(): void;
}

const acceptSuffix = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Largest message accepted from the broker. */
const maxMessageBytes = 64 * 1024 * 1024;

/** Connects to ws://127.0.0.1:<port>/; undefined if nothing (or no WebSocket server) answers in time. */
export function connectText(port: number, timeoutMs: number): Promise<TextSocket | undefined> {
  const key = randomBytes(16).toString('base64');
  const expected = createHash('sha1').update(key + acceptSuffix).digest('base64');
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  return new Promise((resolve) => {
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => fail(), timeoutMs);
    const fail = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(undefined);
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    const onHead = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return head.length > 16 * 1024 ? fail() : undefined;
      socket.off('data', onHead);
      const [status, ...lines] = head.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      if (!/^HTTP\/1\.1 101 /.test(status) || headers['sec-websocket-accept'] !== expected) return fail();
      clearTimeout(timer);
      socket.off('error', fail);
      resolve(framed(socket, head.subarray(end + 4), headers));
    };
    socket.on('data', onHead);
  });
}

/** Text frames over an upgraded socket; `rest` is what arrived after the upgrade answer. */
function framed(socket: net.Socket, rest: Buffer, headers: Record<string, string>): TextSocket {
  const textListeners: Array<(text: string) => void> = [];
  const closeListeners: Array<(why: string) => void> = [];
  let buffer = rest;
  let parts: Buffer[] = [];
  let closed = false;
  const end = (why: string) => {
    if (closed) return;
    closed = true;
    socket.destroy();
    for (const l of closeListeners) l(why);
  };
  const write = (opcode: number, payload: Buffer) => {
    const mask = randomBytes(4);
    const n = payload.length;
    const head = n < 126 ? Buffer.from([0x80 | opcode, 0x80 | n])
      : n < 65536 ? Buffer.from([0x80 | opcode, 0x80 | 126, n >> 8, n & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), u64(n)]);
    const body = Buffer.alloc(n);
    for (let i = 0; i < n; i++) body[i] = payload[i] ^ mask[i & 3];
    socket.write(Buffer.concat([head, mask, body]));
  };
  const parse = () => {
    for (;;) {
      if (buffer.length < 2) return;
      const fin = (buffer[0] & 0x80) !== 0;
      const opcode = buffer[0] & 0x0f;
      const masked = (buffer[1] & 0x80) !== 0;
      let length = buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (length > maxMessageBytes) return end(`a frame of ${length} bytes is too large`);
      const maskKey = masked ? buffer.subarray(offset, offset + 4) : undefined;
      if (masked) offset += 4;
      if (buffer.length < offset + length) return;
      const payload = Buffer.from(buffer.subarray(offset, offset + length));
      if (maskKey) for (let i = 0; i < payload.length; i++) payload[i] ^= maskKey[i & 3];
      buffer = buffer.subarray(offset + length);
      if (opcode === 0x8) return end('the broker closed the connection');
      if (opcode === 0x9) write(0xa, payload);
      else if (opcode === 0x1 || opcode === 0x0) {
        parts.push(payload);
        if (fin) {
          const text = Buffer.concat(parts).toString('utf8');
          parts = [];
          for (const l of textListeners) l(text);
        }
      }
    }
  };
  socket.on('data', (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    parse();
  });
  socket.on('close', () => end('the connection closed'));
  socket.on('error', (e) => end(e.message));
  queueMicrotask(parse);
  return {
    headers,
    send: (text) => write(0x1, Buffer.from(text, 'utf8')),
    onText: (l) => textListeners.push(l),
    onClose: (l) => closeListeners.push(l),
    close: () => end('closed by the hook'),
  };
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}
