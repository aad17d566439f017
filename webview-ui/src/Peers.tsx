/** The peers in the mesh: status, name, what each works on. */
import type { JSX } from 'preact';
import { Empty } from './Controls';
import { kindLooks } from '../../src/core/kind-looks';
import { peers } from './state';

export function Peers(): JSX.Element {
  if (peers.value.length === 0) {
    return (
      <Empty icon="plug" title="No peers yet.">
        Connect an agent: run <strong>PeerMesh: Set Up MCP for Other Agents…</strong>, and agents appear here when they join the mesh.
      </Empty>
    );
  }
  return (
    <ul class="peers">
      {peers.value.map((peer) => {
        // An unknown kind says little: the client's own name says what it is.
        const kind = peer.client ? `${kindLooks[peer.kind].label} (${peer.client})` : kindLooks[peer.kind].label;
        return (
          <li key={peer.id} data-peer-id={peer.id} title={`${peer.name} (${kind}), ${peer.status}`}>
            <span class={`status ${peer.status}`} />
            <i class={`codicon codicon-${kindLooks[peer.kind].icon}`} aria-hidden="true" />
            <strong>{peer.name}</strong>
            <span class="muted">{peer.summary || kind}</span>
          </li>
        );
      })}
    </ul>
  );
}
