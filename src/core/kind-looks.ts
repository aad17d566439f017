/**
 * How each kind of peer looks wherever the person sees it: a codicon and a label. Free of
 * imports at run time, so the dashboard webview's bundle shares it with the window's views.
 */
import type { PeerKind } from '../protocol/entities';

export const kindLooks: Record<PeerKind, { icon: string; label: string }> = {
  'claude-code': { icon: 'sparkle', label: 'Claude Code' },
  copilot: { icon: 'copilot', label: 'Copilot' },
  cursor: { icon: 'inspect', label: 'Cursor' },
  codex: { icon: 'hubot', label: 'Codex' },
  gemini: { icon: 'star-full', label: 'Gemini CLI' },
  opencode: { icon: 'code', label: 'opencode' },
  aider: { icon: 'tools', label: 'Aider' },
  windsurf: { icon: 'rocket', label: 'Windsurf' },
  cline: { icon: 'robot', label: 'Cline' },
  'vscode-window': { icon: 'window', label: 'VS Code window' },
  cli: { icon: 'terminal', label: 'terminal' },
  unknown: { icon: 'circle-large-outline', label: 'agent' },
};
