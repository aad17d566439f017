/**
 * Tool failures as the model should read them: what went wrong and what to do next. Branches
 * on the broker's typed `reason`, never on message text.
 */
import { BrokerError } from '../protocol/errors';

export function toolErrorText(e: unknown): string {
  if (!BrokerError.is(e)) return `PeerMesh error: ${e instanceof Error ? e.message : String(e)}`;
  const data = e.data ?? {};
  switch (e.reason) {
    case 'lockConflict': {
      const holder = typeof data.holderName === 'string' ? data.holderName : 'its holder';
      return `${e.message}. Do not edit it. Either wait (mesh_lock acquire with waitSeconds), ask ${holder} with mesh_send, or work on something else.`;
    }
    case 'cancelled':
      return e.message;
    case 'timeout':
      return `${e.message}. Ask the holder with mesh_send, or work on something else and try later.`;
    case 'versionMismatch':
      return data.currentVersion === 0
        ? `${e.message}. Create it with ifVersion 0, or check the namespace and key.`
        : `${e.message}. Someone else wrote it first: read it again (mesh_state get), then retry with its version as ifVersion.`;
    case 'alreadyClaimed':
      return `${e.message}. Nothing was claimed: leave those to them (ack them to clear them from your inbox) and claim the others again.`;
    case 'notHolder':
      return `${e.message}. Only the holder can release or renew it.`;
    case 'unavailable':
      return `${e.message}. PeerMesh reconnects by itself; retry in a few seconds. If it persists, run \`peermesh doctor\`.`;
    case 'rateLimited':
      return `${e.message}. Retry in a moment.`;
    case 'diskFull':
      return data.applied === true
        ? `${e.message}. Do not repeat this change; other changes fail until space is freed, but reading works.`
        : `${e.message}. Reading works; retry this change after space is freed (ask the person to free disk space).`;
    case 'storeCorrupt':
      return `${e.message}. Tell the person: \`peermesh doctor\` shows what to do.`;
    case 'unauthorized':
      return `${e.message}. Restart this MCP server (it rejoins the mesh).`;
    case 'notFound':
    case 'invalidInput':
    case 'badFrame':
    case 'internal':
      return e.message;
  }
}
