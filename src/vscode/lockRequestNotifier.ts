/**
 * Tells the person when a request to release a lock went unanswered past its time
 * (`lock_request_escalated`): the requester waits, and the holder did not answer. On a claim of
 * this window's own, the notification answers it: Release, Deny… (with a reason) or Narrow…
 * (the lines to keep). On another peer's claim, the person may take it away: Force Release.
 *
 * Left out: claims outside this window's view of the mesh (another workspace's), and a request
 * already shown. The `notifications` setting's "none" silences these too.
 */
import type { Logger } from '../core/logger';
import { describeTarget } from '../core/paths';
import type { EventData, MeshEvent } from '../protocol/entities';
import type { Prompts } from './actions/prompts';
import type { Config } from './config';
import { Disposable } from './dispose';
import type { MeshConnection } from './mesh/meshConnection';
import type { MeshModel } from './mesh/meshModel';
import { inert } from './messageText';

/** The buttons of an escalated request's notification. */
export const requestButtons = { release: 'Release', deny: 'Deny…', narrow: 'Narrow…', force: 'Force Release', later: 'Later' } as const;

type Escalated = EventData<'lock_request_escalated'>;

export class LockRequestNotifier extends Disposable {
  private readonly shown = new Set<string>();

  constructor(
    private readonly mesh: MeshConnection,
    private readonly model: MeshModel,
    private readonly config: Config,
    private readonly prompts: Prompts,
    private readonly log: Logger,
  ) {
    super();
    mesh.onDidReceiveEvent(this.onEvent, this, this.subscriptions);
  }

  private onEvent(event: MeshEvent): void {
    if (event.type !== 'lock_request_escalated') return;
    this.consider(event.data, event.at).then(undefined, (error: unknown) => {
      const why = error instanceof Error ? error.message : String(error);
      this.log.warn(`[locks] the escalated request #${event.data.id} was not answered: ${why}`);
      void this.prompts.notify('warning', inert(`PeerMesh: ${why}`), {});
    });
  }

  private async consider(r: Escalated, at: number): Promise<void> {
    // Ids start again at 1 in a mesh whose store was lost: the moment tells two apart.
    const key = `${r.id}@${at}`;
    const own = r.holder === this.model.selfId;
    if (this.shown.has(key) || this.isDisposed || (!own && !this.model.locks.items.some((l) => l.id === r.lockId))) return;
    this.shown.add(key);
    if (this.config.get('notifications') === 'none') {
      this.log.debug(`[locks] request #${r.id} escalated; not shown as a notification (peermesh.notifications is "none")`);
      return;
    }
    const what = describeTarget(r);
    this.log.info(`[locks] ${r.requesterName}'s request #${r.id} for ${what}, held by ${r.holderName}, went unanswered: asking the person`);
    const client = this.mesh.client;
    if (own) {
      const choice = await this.prompts.notify('warning', inert(`PeerMesh: ${r.requesterName} asks you to release ${what}.`), {},
        requestButtons.release, requestButtons.deny, requestButtons.narrow);
      if (!client || choice === undefined) return;
      if (choice === requestButtons.release) await client.request('release/answer', { id: r.id, answer: 'release' });
      if (choice === requestButtons.deny) {
        const reason = await this.prompts.input({ title: inert(`Keep ${what}`), prompt: `Why you keep it: ${inert(r.requesterName)} reads this`, validateInput: (t) => (t.trim() ? undefined : 'Say why') });
        if (reason !== undefined) await client.request('release/answer', { id: r.id, answer: 'deny', reason });
      }
      if (choice === requestButtons.narrow) {
        const lines = await this.prompts.input({ title: inert(`Narrow ${what}`), prompt: 'The lines you keep, as START-END; the rest is freed', validateInput: (t) => (parseSpan(t) ? undefined : 'Lines as START-END, e.g. 10-20') });
        const keep = lines === undefined ? undefined : parseSpan(lines);
        if (keep) await client.request('release/answer', { id: r.id, answer: 'narrow', ...keep });
      }
      return;
    }
    const choice = await this.prompts.notify('warning', inert(`PeerMesh: ${r.holderName} has not answered ${r.requesterName}'s request for ${what}.`), {},
      requestButtons.force, requestButtons.later);
    if (client && choice === requestButtons.force) {
      await client.request('locks/forceRelease', { lockId: r.lockId, reason: `released by the person for ${r.requesterName}, who asked and had no answer` });
      this.log.info(`[locks] this window force-released lock ${r.lockId} (${what}) for ${r.requesterName}`);
    }
  }
}

/** "10-20" as lines; undefined when it is not a range from 1. */
export function parseSpan(text: string): { startLine: number; endLine: number } | undefined {
  const m = /^\s*(\d{1,9})\s*[-–]\s*(\d{1,9})\s*$/.exec(text);
  if (!m) return undefined;
  const [startLine, endLine] = [Number(m[1]), Number(m[2])];
  return startLine >= 1 && startLine <= endLine ? { startLine, endLine } : undefined;
}
