/**
 * The messages between the extension host and the dashboard webview, imported by both sides
 * (`src/vscode/dashboard/` and `webview-ui/src/`). Webview → host messages are imperative
 * (`ready`); host → webview messages say what changed (`didChangeSnapshot`). The protocol is a
 * handshake followed by full snapshots: the webview says `ready` whenever its page (re)loads,
 * and the host answers with the whole state, so a re-opened view never starts from stale data.
 *
 * This file is compiled into the browser bundle too: type-only imports from the rest of
 * `src/protocol`, no runtime dependencies.
 */
import type { PeerKind, PeerStatus } from './entities';

/** One peer as the dashboard shows it (a display subset of the wire `Peer`). */
export interface DashboardPeer {
  /** Stable peer id, e.g. `p-3f9a2c`. */
  id: string;
  /** Display name, unique among live peers. */
  name: string;
  kind: PeerKind;
  /** The MCP client's own name, when the kind is `unknown` (e.g. `mcp-inspector`). */
  client?: string;
  status: PeerStatus;
  /** "What I'm working on", as set by the peer; may be empty. */
  summary: string;
}

/** Everything the dashboard renders, sent whole after `ready` and on every change. */
export interface DashboardSnapshot {
  /** Version of the PeerMesh extension that produced the snapshot. */
  version: string;
  /** Peers in the configured scope, in display order. */
  peers: DashboardPeer[];
}

/** The webview's page has loaded and its message listener is installed; send a snapshot. */
export interface ReadyMessage {
  type: 'ready';
}

/** Messages the webview posts to the extension host. */
export type WebviewToHostMessage = ReadyMessage;

/** The full dashboard state; replaces whatever the webview showed before. */
export interface DidChangeSnapshotMessage {
  type: 'didChangeSnapshot';
  snapshot: DashboardSnapshot;
}

/** Messages the extension host posts to the webview. */
export type HostToWebviewMessage = DidChangeSnapshotMessage;

const webviewToHostTypes: ReadonlySet<string> = new Set<WebviewToHostMessage['type']>(['ready']);
const hostToWebviewTypes: ReadonlySet<string> = new Set<HostToWebviewMessage['type']>(['didChangeSnapshot']);

function hasType(value: unknown, types: ReadonlySet<string>): boolean {
  return typeof value === 'object' && value !== null && types.has(String((value as { type?: unknown }).type));
}

/** Guards the host against anything the webview posts that is not one of its messages. */
export function isWebviewToHostMessage(value: unknown): value is WebviewToHostMessage {
  return hasType(value, webviewToHostTypes);
}

/** Guards the webview against `message` events that do not come from the host protocol. */
export function isHostToWebviewMessage(value: unknown): value is HostToWebviewMessage {
  return hasType(value, hostToWebviewTypes);
}

/**
 * Ends an exhaustive `switch (msg.type)`: adding a message type without handling it is a
 * compile error, and an unexpected value at run time is a clear error rather than silence.
 */
export function assertNever(value: never): never {
  throw new Error(`Unexpected message: ${JSON.stringify(value)}`);
}
