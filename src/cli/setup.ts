/**
 * `peermesh setup <client…>`: writes the client's MCP config so it runs `peermesh mcp`.
 * Idempotent (a second run changes nothing) and keeps the rest of the file; `--print` only
 * shows the entry and where it goes.
 */
import os from 'node:os';
import { BrokerError } from '../protocol/errors';
import { clientIds, clientTargets, isClientId, isInstalled, readConfigText, serverCommand, snippet, withEntry, writeConfig, type ClientId } from './clients';
import { writeLauncher } from '../home/launcher';
import type { CliContext } from './terminal-peer';

export interface SetupFlags {
  print?: boolean;
}

const tilde = (p: string) => {
  const home = os.homedir();
  return p.startsWith(home + '/') ? '~' + p.slice(home.length) : p;
};

export async function setup(ctx: CliContext, args: string[], flags: SetupFlags): Promise<void> {
  const targets = clientTargets();
  // `all`: every client that seems installed (its folder exists), so none gets a stray config.
  const wanted: ClientId[] = args.includes('all') ? clientIds.filter((id) => isInstalled(targets[id])) : [];
  for (const a of args.filter((x) => x !== 'all')) {
    if (!isClientId(a)) throw new BrokerError('invalidInput', `unknown client "${a}"; choose from ${clientIds.join(', ')}, or all`);
    wanted.push(a);
  }
  if (wanted.length === 0 && args.includes('all')) {
    throw new BrokerError('notFound', `found none of ${clientIds.join(', ')} installed for this user; name the client to set it up anyway`);
  }
  if (wanted.length === 0) {
    throw new BrokerError('invalidInput', `usage: peermesh setup <client…> [--print], client one of ${clientIds.join(', ')}, or all`);
  }
  const out: string[] = [];
  // Our own file in the mesh home, written even for --print, so the printed command works.
  const launcher = await writeLauncher(ctx.home);
  for (const id of wanted) {
    const target = targets[id];
    const cmd = serverCommand(ctx.home, target, launcher);
    if (flags.print) {
      out.push(`# ${target.label}: ${tilde(target.file)} (${target.hint})`, snippet(id, cmd), '');
      continue;
    }
    const before = await readConfigText(target.file);
    const after = withEntry(id, target.file, before, cmd);
    if (before === after) {
      out.push(`✔ ${target.label}: ${tilde(target.file)} already runs peermesh mcp`);
      continue;
    }
    await writeConfig(target.file, after);
    out.push(`✔ ${target.label}: ${before === undefined ? 'created' : 'updated'} ${tilde(target.file)}; restart ${target.label} (or reload its MCP servers) to connect`);
  }
  process.stdout.write(out.join('\n').trimEnd() + '\n');
}
