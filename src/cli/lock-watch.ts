/**
 * `peermesh locks --watch`: the claims now, then one line per change to them as it happens
 * (taken, renewed, moved with their code, code gone, released and why, expired), until Ctrl-C
 * or the broker goes. Changes are read from the broker's event log by cursor, so none falls
 * between two reads; the cursor is taken before the listing, so a change made meanwhile shows
 * (twice at worst) rather than never. When the broker goes, the watch says so and ends: a
 * watch that quietly started a new broker, or waited on one, would show a mesh nobody is in.
 */
import type { PeerClient } from '../client/peer';
import { isInside } from '../core/paths';
import { nodeWorkspaceProbe } from '../core/workspace';
import { BrokerError } from '../protocol/errors';
import { limits } from '../protocol/limits';
import { clockTime, lockEventText, lockEventTypes, locksTable, type LockEvent } from './lock-format';

export interface WatchOptions {
  /** Only claims on this file or under this folder (absolute). */
  path?: string;
  /** The claims as one line `{"type":"locks","locks":[…]}`, then each event as a JSON line. */
  json: boolean;
  /** Writes one line. */
  print(line: string): void;
}

/** How long one read waits for a change before it asks again. */
const pollMs = 30_000;

/** Runs until the broker goes (then fails `unavailable`, saying so). */
export async function watchLocks(c: PeerClient, opts: WatchOptions): Promise<never> {
  let gone: () => void = () => undefined;
  const lost = new Promise<'lost'>((resolve) => (gone = () => resolve('lost')));
  // Closing at once stops the client from electing or starting a broker of its own.
  const off = c.onStateChange((s) => {
    if (s === 'connected') return;
    void c.close(false);
    gone();
  });
  if (c.connectionState !== 'connected') gone();
  const brokerWent = () => new BrokerError('unavailable', 'the broker went away; stopped watching the locks');
  // The events carry the real path the broker normalized the claim to.
  const under = opts.path === undefined ? undefined : nodeWorkspaceProbe.realpath(opts.path);
  const shown = (e: LockEvent) => under === undefined || isInside(e.data.path, under);
  const ask = async <T>(p: Promise<T>): Promise<T> => {
    const r = await Promise.race([p.catch((e: unknown) => (c.connectionState === 'connected' ? Promise.reject(e) : 'lost' as const)), lost]);
    if (r === 'lost') throw brokerWent();
    return r as T;
  };
  try {
    let since = (await ask(c.request('status/get', {}))).lastEventSeq;
    const { locks } = await ask(c.request('locks/list', opts.path === undefined ? {} : { path: opts.path }));
    if (opts.json) opts.print(JSON.stringify({ type: 'locks', locks }));
    else opts.print(locks.length === 0 ? 'no locks' : locksTable(locks));
    for (;;) {
      const { events, cursor } = await ask(c.request('events/read', { since, types: [...lockEventTypes], limit: limits.page, waitMs: pollMs }));
      for (const e of events as LockEvent[]) {
        if (shown(e)) opts.print(opts.json ? JSON.stringify(e) : `${clockTime(e.at)} ${lockEventText(e)}`);
      }
      since = cursor;
    }
  } finally {
    off();
  }
}
