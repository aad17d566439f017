// Reads how an extension's activation went from the VS Code server's logs (server-data/data/logs):
// the extension host's own line, "ExtensionService#_doActivateExtension <id>, startup: …,
// activationEvent: '…'", and the extension's "[activation] … activated in N ms" log line.
// The extension host does not log durations itself (it sends them as telemetry), so the time
// from its line to ours is the whole activation: loading the bundle, creating the context and
// running activate().
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const stamp = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})/;

function lines(file) {
  try {
    return readFileSync(file, 'utf8').split('\n');
  } catch {
    return [];
  }
}

function timeOf(line) {
  const match = stamp.exec(line);
  return match ? new Date(match[1].replace(' ', 'T')).getTime() : undefined;
}

/** @param {string[]} logFiles every file under the server's logs folder */
export function findActivation(logFiles, extensionId) {
  const exthostLogs = logFiles.filter((f) => /exthost\.log$/i.test(path.basename(f)));
  const extensionLogs = logFiles.filter((f) => path.basename(path.dirname(f)) === extensionId);
  const result = {};
  for (const file of exthostLogs) {
    for (const line of lines(file)) {
      if (!result.exthostLine && line.includes(`ExtensionService#_doActivateExtension ${extensionId},`)) {
        result.exthostLine = line.replace(stamp, '').replace(/^\s*\[\w+\]\s*/, '').trim();
        result.exthostAt = timeOf(line);
      }
      if (!result.missingCsp && line.includes(`${extensionId} created a webview without a content security policy`)) {
        result.missingCsp = line.trim();
      }
    }
  }
  for (const file of extensionLogs) {
    for (const line of lines(file)) {
      const match = /\[activation\].*activated in ([\d.]+) ms/.exec(line);
      if (match && result.activatedInMs === undefined) {
        result.activatedInMs = Number(match[1]);
        result.activatedAt = timeOf(line);
      }
      // The lock language server starts after activation, once the window is in the mesh.
      if (result.lspAt === undefined && line.includes('[lsp] the lock language server runs')) result.lspAt = timeOf(line);
    }
  }
  if (result.exthostAt !== undefined && result.activatedAt !== undefined) {
    result.totalMs = result.activatedAt - result.exthostAt;
  }
  if (result.activatedAt !== undefined && result.lspAt !== undefined) {
    result.lspAfterMs = result.lspAt - result.activatedAt;
  }
  return result;
}

/** Every file under a VS Code server's logs folder (`<server data>/data/logs`). */
export function logsUnder(serverDataDir) {
  const root = path.join(serverDataDir, 'data', 'logs');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true }).map((f) => path.join(root, f)).filter((f) => statSync(f).isFile());
}

export function formatActivation(a) {
  if (!a.exthostLine) return 'activation: no activation line in the extension host log';
  const at = a.exthostAt === undefined ? '' : ` at ${new Date(a.exthostAt).toTimeString().slice(0, 8)}.${String(a.exthostAt % 1000).padStart(3, '0')}`;
  const own = a.activatedInMs === undefined ? 'no timing line in the PeerMesh log'
    : `activate() ran in ${a.activatedInMs} ms`
      + (a.totalMs === undefined ? '' : `; active ${a.totalMs} ms after the extension host began (load bundle + create context + activate)`)
      + (a.lspAfterMs === undefined ? '' : `; the lock language server running ${a.lspAfterMs} ms after activation`);
  return `activation: "${a.exthostLine}"${at}; ${own}`;
}
