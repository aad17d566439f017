/**
 * The gutter badges: one per well-known agent, the person, and any other agent, drawn from
 * `media/gutter/<badge>-<light|dark>.svg`. Free of `vscode` imports so the manifest test can
 * check that every badge ships.
 */
import { personKinds, type PeerKind } from '../../protocol/entities';

export const gutterBadges = ['claude-code', 'copilot', 'cursor', 'codex', 'gemini', 'opencode', 'person', 'agent'] as const;
export type GutterBadge = (typeof gutterBadges)[number];

/** The badge for a holder of this kind (unknown holders get the plain one). */
export function gutterBadge(kind: PeerKind | undefined): GutterBadge {
  if (kind && personKinds.includes(kind)) return 'person';
  return gutterBadges.find((badge) => badge === kind) ?? 'agent';
}

