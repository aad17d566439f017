/**
 * How a message reads everywhere in the window (the Messages view, its notifications, the
 * quick picks): its kind in words and as a codicon id, its first line, what a notification
 * says, how the stored rows of one sending group together. One table, so the view and the
 * notifications never disagree; free of `vscode` imports, so it is unit-tested in plain Node.
 */
import { printableLines } from '../core/printable';
import type { Message, MessageKind } from '../protocol/entities';

const kindLooks: Record<MessageKind, { icon: string; word: string }> = {
  text: { icon: 'comment', word: 'message' },
  request: { icon: 'question', word: 'request' },
  reply: { icon: 'reply', word: 'reply' },
  status_check: { icon: 'pulse', word: 'status check' },
  dismiss: { icon: 'circle-slash', word: 'dismissal' },
  alert: { icon: 'warning', word: 'alert' },
};

/** "message", "request", "alert"… */
export function messageKindWord(kind: MessageKind): string {
  return kindLooks[kind]?.word ?? kind;
}

/** Codicon id of a message kind ("comment", "question", "warning"…). */
export function messageKindIconId(kind: MessageKind): string {
  return kindLooks[kind]?.icon ?? 'comment';
}

/** The body's first non-blank line, at most `max` characters; "…" when cut or when more lines follow. */
export function firstLine(body: string, max = 200): string {
  const lines = body.split(/\r?\n/);
  const index = lines.findIndex((line) => line.trim() !== '');
  const line = index < 0 ? '' : lines[index].trim();
  if (line.length > max) return `${line.slice(0, max - 1).trimEnd()}…`;
  return lines.slice(index + 1).some((rest) => rest.trim() !== '') ? `${line} …` : line;
}

/** How long the first line of a notification may be. */
const notificationLine = 200;

/**
 * What a notification of `message` says: "alice asks: can you review …", "Alert from alice:
 * the build is broken", with "(and 2 more from alice)" when it stands for a burst.
 */
export function notificationText(message: Message, more = 0): string {
  const who = message.broadcast ? `${message.fromName} (broadcast)` : message.fromName;
  const said: Record<MessageKind, string> = {
    text: `${who}:`,
    request: `${who} asks:`,
    reply: `${who} replied:`,
    status_check: `${who} checks in:`,
    dismiss: `${who} withdrew a request:`,
    alert: `Alert from ${who}:`,
  };
  const tail = more > 0 ? ` (and ${more} more from ${message.fromName})` : '';
  return inert(`${said[message.kind] ?? `${who}:`} ${firstLine(message.body, notificationLine)}${tail}`);
}

/**
 * Notifications turn `[text](target)` into links (command links too), and they and quick picks
 * turn `$(name)` into icons: a zero-width space after `]` or `$` keeps another peer's words
 * plain text, and they read the same. Control characters, bidi controls and invisible
 * characters in them are shown escaped first ({@link printableLines}): a dialog's line breaks stay.
 */
export function inert(text: string): string {
  return printableLines(text).replace(/\]\(/g, ']\u200b(').replace(/\$\(/g, '$\u200b(');
}

/**
 * The stored rows grouped by sending: a message to several peers is stored once per
 * recipient, with the same sender, thread, time and body, at consecutive ids.
 */
export function sendings(rows: readonly Message[]): Message[][] {
  const groups: Message[][] = [];
  for (const row of rows) {
    const last = groups[groups.length - 1]?.[0];
    const same = last && row.broadcast && last.broadcast && row.from === last.from && row.threadId === last.threadId
      && row.createdAt === last.createdAt && row.kind === last.kind && row.replyTo === last.replyTo && row.body === last.body;
    if (same) groups[groups.length - 1].push(row);
    else groups.push([row]);
  }
  return groups;
}

/** The body as lines of at most `width` characters (broken at spaces where it can). */
export function wrap(body: string, width: number): string[] {
  const out: string[] = [];
  for (const raw of body.replace(/\s+$/, '').split(/\r?\n/)) {
    let line = raw.replace(/\t/g, '  ');
    while (line.length > width) {
      const space = line.lastIndexOf(' ', width);
      const cut = space > width / 2 ? space : width;
      out.push(line.slice(0, cut));
      line = line.slice(cut).replace(/^ /, '');
    }
    out.push(line);
  }
  return out;
}
