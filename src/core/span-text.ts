/**
 * Lines as the mesh writes them: `12`, or `10-20`. No imports, so the hook entry (which must
 * load fast) and the core's texts share it.
 */
export function spanText(span: { startLine: number; endLine: number }): string {
  return span.startLine === span.endLine ? `${span.startLine}` : `${span.startLine}-${span.endLine}`;
}
