/**
 * How long the window waits for the rest of a burst before acting on it. Free of `vscode`
 * imports, so the bench (test/bench/vscode.ts) reports against the values in use.
 */
export const debounceMs = {
  /** Mesh events → fetching the lists they change (mesh/meshModel.ts). */
  views: 100,
  /** List changes → redrawing the editor decorations (decorations/lockDecorations.ts). */
  decorations: 50,
} as const;
