/**
 * The Dashboard webview: vanilla TypeScript and DOM, no framework. On load it installs its
 * message listener and says `ready`; the host answers with a full snapshot, and every later
 * snapshot replaces the page's content. Host text is only ever set as text, never as HTML.
 */
import {
  assertNever, isHostToWebviewMessage, type DashboardPeer, type DashboardSnapshot,
  type HostToWebviewMessage, type WebviewToHostMessage,
} from '../../src/protocol/webview';

interface VsCodeApi {
  postMessage(message: WebviewToHostMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { className?: string; text?: string } = {}, ...children: Node[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  node.append(...children);
  return node;
}

function renderPeer(peer: DashboardPeer): HTMLLIElement {
  // An unknown kind says little: the client's own name says what it is.
  const kind = peer.client ? `${peer.kind} (${peer.client})` : peer.kind;
  const item = el('li', {},
    el('span', { className: `status ${peer.status}` }),
    el('strong', { text: peer.name }),
    el('span', { className: 'muted', text: peer.summary || kind }),
  );
  item.dataset.peerId = peer.id;
  item.title = `${peer.name} (${kind}), ${peer.status}`;
  return item;
}

function render(snapshot: DashboardSnapshot): void {
  const app = document.getElementById('app');
  if (!app) return;
  const peers = snapshot.peers.length === 0
    ? el('p', { className: 'muted empty', text: 'No peers yet. Agents appear here when they join the mesh.' })
    : el('ul', { className: 'peers' }, ...snapshot.peers.map(renderPeer));
  app.replaceChildren(
    el('h2', { text: `Peers (${snapshot.peers.length})` }),
    peers,
    el('p', { className: 'muted version', text: `PeerMesh ${snapshot.version}` }),
  );
  app.dataset.version = snapshot.version;
}

function handle(message: HostToWebviewMessage): void {
  switch (message.type) {
    case 'didChangeSnapshot':
      render(message.snapshot);
      break;
    default:
      assertNever(message.type);
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  // Anything that is not one of the host's messages is not ours to handle.
  if (isHostToWebviewMessage(event.data)) handle(event.data);
});
vscode.postMessage({ type: 'ready' });
