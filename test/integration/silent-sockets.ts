/**
 * Connections that never say anything, for flood tests and the flood benchmark: a raw TCP
 * socket that sends no upgrade request, or a WebSocket that upgrades and never says hello.
 * Each one notes when the broker closed it; none of them ever throws.
 */
import net from 'node:net';
import WebSocket from 'ws';

/** One answer the broker sent on a silent WebSocket (to the frames the test chose to send). */
export interface Answer {
  id?: number;
  result?: unknown;
  error?: { message: string; data?: { reason?: string; retryAfterMs?: number } };
}

export interface Silent {
  kind: 'tcp' | 'ws';
  /** Settles once the connection is up, or failed to come up (the broker may turn it away). */
  opened: Promise<void>;
  /** Settles when the connection has closed, whoever closed it. */
  closed: Promise<void>;
  isClosed: boolean;
  /** What the broker answered, on a WebSocket. */
  answers: Answer[];
  /** Sends a JSON frame on a WebSocket (nothing on TCP, or once closed). */
  send(frame: object): void;
  /** Settles when `n` answers have come, or the connection closed. */
  answered(n: number): Promise<void>;
  destroy(): void;
}

export function openSilent(kind: 'tcp' | 'ws', port: number): Silent {
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const wake = () => {
    for (const w of [...waiters]) {
      if (!s.isClosed && s.answers.length < w.n) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const s: Silent = {
    kind, closed, isClosed: false, answers: [], opened: Promise.resolve(),
    send: () => undefined,
    answered: (n) => new Promise<void>((resolve) => {
      waiters.push({ n, resolve });
      wake();
    }),
    destroy: () => undefined,
  };
  const onClose = () => {
    s.isClosed = true;
    markClosed();
    wake();
  };
  if (kind === 'tcp') {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    socket.on('close', onClose);
    // Whatever the broker says is read and dropped, so its closing is seen (a paused socket never sees the end).
    socket.resume();
    s.opened = new Promise((resolve) => {
      socket.once('connect', () => resolve());
      socket.once('close', () => resolve());
    });
    s.destroy = () => socket.destroy();
    return s;
  }
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  ws.on('error', () => undefined);
  ws.on('close', onClose);
  ws.on('message', (data) => {
    try {
      s.answers.push(JSON.parse(data.toString()) as Answer);
    } catch {
      /* not JSON: not an answer */
    }
    wake();
  });
  s.opened = new Promise((resolve) => {
    ws.once('open', () => resolve());
    ws.once('close', () => resolve());
  });
  s.send = (frame) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  };
  s.destroy = () => ws.terminate();
  return s;
}

/** Waits for `p`, but no longer than `ms`: the caller then looks at what did and did not happen. */
export async function raceDeadline(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
