/**
 * What every command that talks to the mesh does the same way: print a result (text or JSON),
 * and hold a connection as the terminal identity for the length of one command.
 */
import type { PeerClient } from '../client/peer';
import { printable } from '../core/printable';
import { BrokerError } from '../protocol/errors';
import { option } from './command-spec';
import { cliClient, type CliClientOptions, type CliContext } from './terminal-peer';

/** Prints `text` and a line break; nothing for empty text. */
export const print = (text: string): void => {
  if (text) process.stdout.write(text + '\n');
};

export const printJson = (value: unknown): void => print(JSON.stringify(value, null, 2));

/** Warnings beside the result, on stderr (`peermesh: warning: …`), so the result on stdout stays as scripts read it. */
export const warn = (lines: readonly string[]): void => {
  for (const line of lines) process.stderr.write(`peermesh: warning: ${line}\n`);
};

/** `--json`: the command prints its result as JSON, for scripts. */
export const json = option.flag('--json', 'print JSON');

/**
 * For the commands that only look (status, peers, locks, edits, events, state get and list,
 * plan, tasks, audit export), or that could find nothing as an identity that does not exist yet
 * (inbox: nobody could have written to it; unlock and lock --renew: it holds nothing): `--as
 * NAME` must name one that exists. Everything else acts, and makes it.
 */
export const looking: CliClientOptions = { existingOnly: true };

/** Runs `fn` connected as the terminal identity; disconnects after, whatever happens. */
export async function withClient<T>(ctx: CliContext, fn: (c: PeerClient) => Promise<T>, opts: CliClientOptions = {}): Promise<T> {
  const client = await cliClient(ctx, opts);
  try {
    return await fn(client);
  } finally {
    // The terminal's peer stays registered (its locks outlive the command); just disconnect.
    await client.close(false);
  }
}

/** `12` or `#12`: the id of a `what` (proposal, debate) as the command `listedBy` lists it. */
export function numberedId(text: string, what: string, listedBy: string): number {
  const m = /^#?(\d{1,9})$/.exec(text);
  if (!m || Number(m[1]) < 1) throw new BrokerError('invalidInput', `"${printable(text)}" is not a ${what} id (as ${listedBy} lists them, e.g. 3 or #3)`);
  return Number(m[1]);
}
