/**
 * How a listing of peers reads, to the person (`peermesh peers`, the Peers view) and to a model
 * (`mesh_peers`): a live peer whose name looks like another live peer's name or id is flagged,
 * a kind that says little (`unknown`) comes with the client's own name, and the peers that left
 * under one name show once.
 *
 * "Looks like" is Unicode's confusable skeleton (UTS #39): two strings are confusable when their
 * skeletons are equal, where the skeleton maps each character to its prototype in Unicode's
 * confusables.txt (Cyrillic а → a, 1 → l, m → rn). The table is the one the `unhomoglyph`
 * package ships; it is loaded on first use, so entry points that never list peers never pay
 * for it (and the hook bundle never contains it).
 */
import type { Peer } from '../protocol/entities';
import { invisible, printable } from './printable';

let prototypes: Map<string, string> | undefined;

/** confusables.txt as code point → prototype, read once. */
function prototypeTable(): Map<string, string> {
  // A lazy require, so the table is parsed only when a listing needs it; esbuild bundles it as
  // a module evaluated on this first call.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  prototypes ??= new Map(Object.entries(require('unhomoglyph/data.json') as Record<string, string>));
  return prototypes;
}

/** The UTS #39 skeleton of `text`: NFD, default-invisibles dropped, each character's prototype, NFD again. */
export function skeleton(text: string): string {
  const table = prototypeTable();
  let out = '';
  for (const c of text.normalize('NFD')) {
    if (!invisible.test(c)) out += table.get(c) ?? c;
  }
  return out.normalize('NFD');
}

/**
 * What two strings are compared by: the skeleton, lower-cased (names are unique and found
 * regardless of case in the mesh, so `AIice` with a capital I must meet `alice`), skeletoned
 * again so a lower-cased prototype maps on.
 */
function lookalikeKey(text: string): string {
  return skeleton(skeleton(text).toLowerCase());
}

/** Another live peer, as a flag names it. */
export interface PeerRef {
  id: string;
  name: string;
}

/**
 * The live peers whose names look like another live peer's name or id (or are its id), each
 * with the first such peer. Both of two look-alike names are flagged: nobody can tell from the
 * names which one came first, and the ids tell them apart. Peers that left are nobody to be
 * mistaken for, and are not flagged.
 */
export function lookalikes(peers: readonly Peer[]): Map<string, PeerRef> {
  const live = peers.filter((p) => p.status !== 'gone');
  const keyed = live.map((p) => ({ p, name: lookalikeKey(p.name), id: lookalikeKey(p.id) }));
  const found = new Map<string, PeerRef>();
  for (const me of keyed) {
    const other = keyed.find((o) => o.p.id !== me.p.id && o.name === me.name)
      ?? keyed.find((o) => o.p.id !== me.p.id && o.id === me.name);
    if (other) found.set(me.p.id, { id: other.p.id, name: other.p.name });
  }
  return found;
}

/** `alice (p-3f9a2c)`: the other's name, which reads the same, and its id, which does not. */
export function describePeerRef(other: PeerRef): string {
  return `${other.name} (${other.id})`;
}

/** `⚠ looks like alice (p-3f9a2c)`, from a {@link PeerRef} or its {@link describePeerRef}. */
export function describeLookalike(other: PeerRef | string): string {
  return `⚠ looks like ${printable(typeof other === 'string' ? other : describePeerRef(other))}`;
}

/** `unknown (mcp-inspector)`: the kind, with the client's own name when the kind is `unknown`. */
export function describeKind(peer: { kind: string; client?: string | null }): string {
  return peer.kind === 'unknown' && peer.client ? `unknown (${printable(peer.client)})` : peer.kind;
}

/** One row of a listing. */
export interface ListedPeer {
  peer: Peer;
  /** Another live peer whose name or id this one's name looks like. */
  lookalikeOf?: PeerRef;
  /** For a gone peer: how many more peers left under its name before it (not listed). */
  earlierGone: number;
}

/**
 * The rows of a listing, in the order given: every live peer, each flagged if it looks like
 * another; of the gone peers that share a name (regardless of case), only the last to leave,
 * counting the others. An agent's every session leaves a gone peer of its name behind, and
 * a listing of them all would bury the one row that says when it last left.
 */
export function peerListing(peers: readonly Peer[]): ListedPeer[] {
  const flagged = lookalikes(peers);
  const goneByName = new Map<string, Peer[]>();
  for (const p of peers) {
    if (p.status !== 'gone') continue;
    const key = p.name.toLowerCase();
    goneByName.set(key, [...(goneByName.get(key) ?? []), p]);
  }
  const rows: ListedPeer[] = [];
  for (const peer of peers) {
    if (peer.status === 'gone') {
      const same = goneByName.get(peer.name.toLowerCase()) ?? [peer];
      const last = same.reduce((a, b) => (b.lastSeen > a.lastSeen || (b.lastSeen === a.lastSeen && b.id > a.id) ? b : a));
      if (last !== peer) continue;
      rows.push({ peer, earlierGone: same.length - 1 });
      continue;
    }
    const other = flagged.get(peer.id);
    rows.push({ peer, ...(other && { lookalikeOf: other }), earlierGone: 0 });
  }
  return rows;
}
