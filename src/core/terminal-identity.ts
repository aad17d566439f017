/**
 * The person's terminal identities: the peers `peermesh` commands join the mesh as (kind
 * `cli`). The default one is the person at the terminal, `<user>-cli`, so a lock taken today
 * is released by tomorrow's `peermesh unlock`. A named one (`--as NAME`) is `<user>-cli:NAME`:
 * a lock holder of its own, for scripts that must exclude each other or keep their locks apart
 * from the person's. The name is all the editor learns of it, so its shape is fixed here, for
 * the command line that makes it and the editor that shows it ("terminal --as NAME").
 */
import type { Peer } from '../protocol/entities';

/** What an identity name may be, in words (it becomes a file name and part of a peer name). */
export const terminalNameRule = '1 to 32 letters, digits, dots, dashes or underscores, starting with a letter or digit';

const namePattern = /^[a-z0-9][a-z0-9._-]{0,31}$/i;
/** Device names Windows reserves whatever the extension: `con.json` cannot be created there. */
const reserved = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;

/**
 * `name` as an identity name, in lower case (file systems and peer names ignore case, so `CI`
 * and `ci` must be one identity); undefined when it may not be one.
 */
export function terminalName(name: string): string | undefined {
  return namePattern.test(name) && !reserved.test(name) ? name.toLowerCase() : undefined;
}

/** The peer name of `user`'s terminal identity: the default one, or the one called `name`. */
export function terminalPeerName(user: string, name?: string): string {
  return name === undefined ? `${user}-cli` : `${user}-cli:${name}`;
}

/** The NAME of a named terminal identity (`--as NAME`); undefined for the default one and any other peer. */
export function namedTerminalOf(peer: Pick<Peer, 'kind' | 'name'>): string | undefined {
  if (peer.kind !== 'cli') return undefined;
  return /-cli:([a-z0-9][a-z0-9._-]*)$/i.exec(peer.name)?.[1];
}
