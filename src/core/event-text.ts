/**
 * A mesh event as a sentence the person reads in the dashboard's activity feed: who did what
 * ("alice locked src/a.ts:3-9", "bob moved task login-form to review"). `name` gives a peer's
 * display name by id (the event's own names are used where it carries them). Pure.
 */
import { describeTarget } from './paths';
import type { MeshEvent } from '../protocol/entities';

/** A message's words, when the feed has them (the window reads the traffic between peers). */
export type MessageBody = { from: string; to: string; body: string } | undefined;

export function describeEvent(e: MeshEvent, name: (peerId: string | null) => string, message?: MessageBody): string {
  const who = name(e.peer);
  const by = (byName: string | undefined) => byName ?? who;
  switch (e.type) {
    case 'peer_joined': return `${e.data.name} ${e.data.resumed ? 'came back' : 'joined'} (${e.data.kind})`;
    case 'peer_left': return `${e.data.name} left${e.data.reason === 'timeout' ? ' (gone past its grace period)' : ''}`;
    case 'peer_status': return `${who} is ${e.data.status}`;
    case 'summary_changed': return `${who} is working on: ${e.data.summary || '(nothing said)'}`;
    case 'message_sent': {
      const to = e.data.broadcast ? 'everyone' : name(e.data.to);
      return message ? `${message.from} → ${e.data.broadcast ? 'everyone' : message.to}: ${message.body}` : `${who} sent a ${e.data.kind} to ${to}`;
    }
    case 'message_delivered': return `${who} read a message from ${name(e.data.from)}`;
    case 'state_changed': return `${who} set ${e.data.namespace}/${e.data.key} (v${e.data.version})`;
    case 'state_deleted': return `${who} deleted ${e.data.namespace}/${e.data.key}`;
    case 'lock_acquired': return `${e.data.holderName} locked ${describeTarget(e.data)}`;
    case 'lock_renewed': return `${e.data.holderName} renewed ${describeTarget(e.data)}`;
    case 'lock_expired': return `${e.data.holderName}'s lock on ${describeTarget(e.data)} expired`;
    case 'lock_released': return `${e.data.holderName}'s lock on ${describeTarget(e.data)} was released${e.data.reason === 'forced' ? ` by ${e.data.by ?? 'someone else'}` : ''}`;
    case 'lock_moved': return `${e.data.holderName}'s lock moved from lines ${e.data.from.startLine}-${e.data.from.endLine} to ${describeTarget(e.data)}${e.data.anchorLost ? ' (its code is gone)' : ''}`;
    case 'save_guarded': return `${who} saved ${e.data.relPath} over ${e.data.lockIds.length === 1 ? 'a claim' : `${e.data.lockIds.length} claims`} of others`;
    case 'file_edited': return `${who} edited ${e.data.relPath}`;
    case 'plan_proposed': return `${by(e.data.byName)} proposed a plan change (${e.data.changes} changes)`;
    case 'plan_changed': return `${by(e.data.byName)} changed the plan "${e.data.title}" (v${e.data.version}: +${e.data.added} −${e.data.removed} ~${e.data.changed})`;
    case 'plan_rejected': return `${by(e.data.byName)} ${e.data.superseded ? 'superseded' : 'rejected'} plan proposal #${e.data.proposal}`;
    case 'task_claimed': return `${by(e.data.byName)} took task ${e.data.task} "${e.data.title}"${e.data.forced ? ` early: ${e.data.forced}` : ''}`;
    case 'task_updated': return `${by(e.data.byName)} moved task ${e.data.task} "${e.data.title}" from ${e.data.previous} to ${e.data.status}${e.data.note ? `: ${e.data.note}` : ''}`;
    case 'task_released': return `${e.data.previousAssigneeName} ${e.data.reason === 'assignee gone' ? 'left, and gave back' : 'gave back'} task ${e.data.task} "${e.data.title}"`;
    case 'contract_changed': return `${by(e.data.byName)} changed contract ${e.data.name} (v${e.data.version}, ${e.data.status})`;
    case 'delta_pushed': return `${by(e.data.byName)} pushed a ${e.data.severity} ${e.data.kind.replace('_', ' ')} to ${e.data.recipients.length} peer${e.data.recipients.length === 1 ? '' : 's'}: ${e.data.summary}`;
    case 'delta_acked': return `${by(e.data.byName)} acked delta #${e.data.delta}`;
    case 'delta_drafted': return `a contract change to ${e.data.contract} was drafted for ${by(e.data.byName)} (it edited ${e.data.file})`;
    case 'debate_started': return `${by(e.data.byName)} started a debate: ${e.data.topic}`;
    case 'debate_turn': return `${by(e.data.byName)} took a turn in debate #${e.data.debate} (round ${e.data.round})${e.data.proposal !== null ? `, proposing ${e.data.proposal}` : e.data.accepts !== null ? `, accepting ${e.data.accepts}` : ''}`;
    case 'debate_changed': return `debate #${e.data.debate} "${e.data.topic}" is ${e.data.status}${e.data.reason ? ` (${e.data.reason})` : ''}`;
    case 'sync_queued': return `${by(e.data.byName)} queued to land on ${e.data.branch} (position ${e.data.position})`;
    case 'sync_acquired': return `${by(e.data.byName)} may land on ${e.data.branch} now`;
    case 'sync_released': return `the landing token of ${e.data.branch} was ${e.data.reason}`;
    case 'sync_stalled': return `${e.data.whoName} has held ${e.data.branch}'s landing token unusually long; ${e.data.waiting} waiting`;
    case 'lock_release_requested': return `${e.data.requesterName} asked ${e.data.holderName} to release ${describeTarget(e.data)}`;
    case 'lock_request_answered': return `${e.data.holderName} answered ${e.data.requesterName}'s request for ${describeTarget(e.data)}`;
    case 'lock_request_escalated': return `${e.data.requesterName}'s request for ${describeTarget(e.data)} held by ${e.data.holderName} went unanswered: it comes to the person`;
  }
}
