/**
 * `peermesh setup <client…>`: writes the client's MCP config so it runs `peermesh mcp`, and with
 * `--hooks` the client's hooks that run `peermesh hook …`. Idempotent (a second run changes
 * nothing, byte for byte) and keeps the rest of each file; `--print` only shows the entries and
 * where they go; `--remove` takes out what setup added, and nothing else. `setup git-hook`
 * installs the git guard in the repository here (commit-guard.ts).
 */
import { BrokerError } from '../protocol/errors';
import { gitHook } from './commit-guard';
import { clientIds, clientTargets, isClientId, isDefaultHome, isInstalled, readConfigText, serverCommand, tilde, snippet, withEntry, withoutEntry, writeConfig, type ClientId, type ServerCommand } from './clients';
import { hookClientIds, hookTargets, hooksSnippet, isHookClientId, withHooks, withoutHooks, type HookMode } from './hooks';
import { writeLauncher } from '../home/launcher';
import type { CliContext } from './terminal-peer';

export interface SetupFlags {
  print?: boolean;
  hooks?: boolean;
  hookMode?: HookMode;
  remove?: boolean;
}

const usage = `usage: peermesh setup <client…> [--hooks [--hook-mode deny|ask|warn]] [--print | --remove], client one of ${clientIds.join(', ')}, or all; or peermesh setup git-hook [--remove] in a git repository`;

function chooseClients(args: string[]): ClientId[] {
  const targets = clientTargets();
  // `all`: every client that seems installed (its folder exists), so none gets a stray config.
  const wanted: ClientId[] = args.includes('all') ? clientIds.filter((id) => isInstalled(targets[id])) : [];
  for (const a of args.filter((x) => x !== 'all')) {
    if (!isClientId(a)) throw new BrokerError('invalidInput', `unknown client "${a}"; choose from ${clientIds.join(', ')}, or all`);
    if (!wanted.includes(a)) wanted.push(a);
  }
  if (wanted.length === 0 && args.includes('all')) {
    throw new BrokerError('notFound', `found none of ${clientIds.join(', ')} installed for this user; name the client to set it up anyway`);
  }
  if (wanted.length === 0) throw new BrokerError('invalidInput', usage);
  return wanted;
}

/** One file to change and how: the MCP entry and the hooks of one client may share a file (Gemini). */
interface FileChange {
  file: string;
  what: string[];
  change(text: string | undefined): string | undefined;
}

function changesFor(id: ClientId, cmd: ServerCommand, flags: SetupFlags): FileChange[] {
  const target = clientTargets()[id];
  const changes: FileChange[] = [{
    file: target.file,
    what: ['MCP server'],
    change: (text) => (flags.remove ? withoutEntry(id, target.file, text) : withEntry(id, target.file, text, cmd)),
  }];
  // --remove takes our hooks out whether or not --hooks is given: all that setup added.
  if ((flags.hooks || flags.remove) && isHookClientId(id)) {
    const hooks = hookTargets()[id];
    const step = (text: string | undefined) => (flags.remove ? withoutHooks(hooks, text) : withHooks(hooks, text, cmd, flags.hookMode));
    const same = changes.find((c) => c.file === hooks.file);
    if (same) {
      const first = same.change;
      same.change = (text) => step(first(text));
      same.what.push('hooks');
    } else {
      changes.push({ file: hooks.file, what: ['hooks'], change: step });
    }
  }
  return changes;
}

export async function setup(ctx: CliContext, args: string[], flags: SetupFlags): Promise<void> {
  if (args.includes('git-hook')) {
    if (args.length > 1) throw new BrokerError('invalidInput', 'set up git-hook on its own: peermesh setup git-hook [--remove]');
    process.stdout.write(await gitHook(ctx.home, process.cwd(), { remove: flags.remove, defaultHome: isDefaultHome(ctx.home) }) + '\n');
    return;
  }
  const wanted = chooseClients(args);
  if (flags.print && flags.remove) throw new BrokerError('invalidInput', '--print and --remove do not go together');
  if (flags.hooks && !flags.remove) {
    const without = wanted.filter((id) => !isHookClientId(id));
    // Named explicitly, a client without hooks is a mistake; with `all` it is just skipped.
    if (without.length > 0 && !args.includes('all')) {
      throw new BrokerError('invalidInput', `--hooks: ${without.join(', ')} ha${without.length === 1 ? 's' : 've'} no hooks PeerMesh installs; hooks are for ${hookClientIds.join(', ')}`);
    }
  }
  const targets = clientTargets();
  const out: string[] = [];
  // Our own file in the mesh home, written even for --print, so the printed command works.
  const launcher = await writeLauncher(ctx.home);
  for (const id of wanted) {
    const target = targets[id];
    const cmd = serverCommand(ctx.home, target, launcher);
    if (flags.print) {
      out.push(`# ${target.label}: ${tilde(target.file)} (${target.hint})`, snippet(id, cmd), '');
      if (flags.hooks && isHookClientId(id)) {
        const hooks = hookTargets()[id];
        out.push(`# ${target.label} hooks: ${tilde(hooks.file)}`, hooksSnippet(hooks, cmd, flags.hookMode), '');
      }
      continue;
    }
    for (const c of changesFor(id, cmd, flags)) {
      const before = await readConfigText(c.file);
      const after = c.change(before);
      const what = c.what.join(' and ');
      if (before === after || after === undefined) {
        out.push(flags.remove ? `✔ ${target.label}: no PeerMesh ${c.what.join(' or ')} in ${tilde(c.file)}` : `✔ ${target.label}: ${tilde(c.file)} already has the PeerMesh ${what}`);
        continue;
      }
      await writeConfig(c.file, after);
      if (flags.remove) {
        out.push(`✔ ${target.label}: removed the PeerMesh ${what} from ${tilde(c.file)}`);
        continue;
      }
      const note = isHookClientId(id) && c.what.includes('hooks') ? hookTargets()[id].afterChange : undefined;
      const restart = c.what.includes('MCP server') ? `restart ${target.label} (or reload its MCP servers) to connect` : `restart ${target.label} to run them`;
      out.push(`✔ ${target.label}: ${before === undefined ? 'created' : 'updated'} ${tilde(c.file)} (${what}); ${restart}${note ? `; ${note}` : ''}`);
    }
  }
  process.stdout.write(out.join('\n').trimEnd() + '\n');
}
