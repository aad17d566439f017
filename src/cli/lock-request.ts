/** `peermesh lock --request`: ask the holders of a target to let go, and with `--wait` wait for it. */
import { formatDuration } from '../core/duration';
import { describeTarget } from '../core/paths';
import { printable } from '../core/printable';
import { BrokerError } from '../protocol/errors';
import type { LockTarget } from '../protocol/methods';
import { looking, print, printJson, withClient } from './run-command';
import type { CliContext } from './terminal-peer';

export async function requestRelease(
  ctx: CliContext, target: LockTarget, opts: { reason?: string; wait?: number; renew?: boolean; ttl?: number; json?: boolean },
): Promise<void> {
  if (opts.renew) throw new BrokerError('invalidInput', '--request asks for a lock someone else holds; --renew extends your own: use one of them');
  if (opts.ttl !== undefined) throw new BrokerError('invalidInput', '--ttl goes with taking a lock, not with --request');
  const reason = opts.reason?.trim();
  if (!reason) throw new BrokerError('invalidInput', '--request needs --reason: say why you need it, the holder reads it');
  const { requests, granted } = await withClient(ctx, (c) => c.request('release/request', { target, reason, waitMs: (opts.wait ?? 0) * 1000 }), looking);
  if (opts.json) return printJson({ requests, ...(granted && { granted }) });
  const lines = requests.map((r) => `asked ${printable(r.holderName)} to release lock #${r.lockId} (request #${r.id})`);
  // Without --wait this process ends now: the answer would reach nobody, so say how to wait.
  lines.push(granted
    ? `locked ${describeTarget(granted)} (#${granted.id}) for ${formatDuration(granted.expiresAt - Date.now(), { rounding: 'up' })}`
    : 'to wait for it, ask with --wait <seconds>; unanswered, it goes to the person in the editor');
  print(lines.join('\n'));
}
