/**
 * `peermesh doctor`: checks what can stop agents from meeting, one line each (✔ fine,
 * ✘ wrong, ! worth knowing, · not set up) with how to fix it; exits 1 if anything is wrong.
 * It only looks: it never registers a peer or changes a file.
 */
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { candidatePorts, readBrokerFile } from '../home/home';
import { connectTo } from '../client/connect';
import { formatDuration } from '../core/duration';
import { version } from '../core/version';
import { StoreLock } from '../store/lock';
import { describeOwner, ownerState } from '../home/owner';
import { journalLossFix, quarantineCopies, scanJournal } from '../store/journal-scan';
import { readSnapshot } from '../store/store';
import { defaultHomeDir } from '../home/location';
import { clientIds, clientTargets, isInstalled, readEntry, realOr, tilde, type ClientTarget } from './clients';
import { checkGeminiTrust, checkHooks, checkPath, type Line } from './doctor-agents';
import type { CliContext } from './terminal-peer';


async function modeOf(p: string): Promise<number | undefined> {
  try {
    return (await fs.stat(p)).mode & 0o777;
  } catch {
    return undefined;
  }
}

const octal = (m: number) => '0' + m.toString(8).padStart(3, '0');

async function checkFiles(ctx: CliContext): Promise<Line[]> {
  const lines: Line[] = [];
  const homeMode = await modeOf(ctx.home.dir);
  if (homeMode === undefined) lines.push({ mark: '✘', text: `mesh home ${ctx.home.dir} is missing`, fix: `mkdir -m 700 ${ctx.home.dir}` });
  else if (homeMode & 0o077) lines.push({ mark: '✘', text: `mesh home ${ctx.home.dir} is open to other users (${octal(homeMode)})`, fix: `chmod 700 ${ctx.home.dir}` });
  else lines.push({ mark: '✔', text: `mesh home ${ctx.home.dir} (${octal(homeMode)})` });
  const secretMode = await modeOf(ctx.home.secretFile);
  if (secretMode === undefined) lines.push({ mark: '·', text: 'no broker secret yet (created on first use)' });
  else if (secretMode & 0o077) lines.push({ mark: '✘', text: `broker secret ${ctx.home.secretFile} is readable by others (${octal(secretMode)})`, fix: `chmod 600 ${ctx.home.secretFile}` });
  else lines.push({ mark: '✔', text: `broker secret (${octal(secretMode)})` });
  return lines;
}

async function checkBroker(ctx: CliContext): Promise<Line[]> {
  let secret: string;
  try {
    secret = (await fs.readFile(ctx.home.secretFile, 'utf8')).trim();
  } catch {
    return [{ mark: '·', text: 'no broker has run for this home yet (peermesh mcp starts one on demand)' }];
  }
  const lines: Line[] = [];
  for (const port of candidatePorts(ctx.home, ctx.port)) {
    const outcome = await connectTo(port, secret, 3000).catch((e: Error) => ({ kind: 'foreign' as const, why: e.message }));
    if (outcome.kind === 'connected') {
      outcome.conn.dispose();
      outcome.ws.close();
      const b = outcome.hello.broker;
      lines.push({ mark: '✔', text: `broker pid ${b.pid} answers on 127.0.0.1:${b.port}, version ${b.version}, up ${formatDuration(Date.now() - b.startedAt, { rounding: 'nearest' })}` });
      if (b.version !== version) lines.push({ mark: '!', text: `the broker runs PeerMesh ${b.version}, this CLI is ${version}`, fix: 'it is replaced once its peers have left (or stop pid ' + b.pid + ')' });
      return lines;
    }
    if (outcome.kind === 'foreign') {
      lines.push({ mark: '!', text: `port ${port} is taken by another program (${outcome.why}); PeerMesh moves on to the next port`, fix: `free port ${port}, or pin a port with --port / the peermesh.port setting` });
      continue;
    }
    if (outcome.kind === 'busy') {
      lines.push({ mark: '!', text: `the broker on port ${port} is starting or stopping (${outcome.why}); run doctor again in a moment` });
      return lines;
    }
    // Refused: nothing listens where the broker would be. A pid in broker.json or the store
    // LOCK is advised killed only if it is still the process that wrote it (not a reused pid).
    const last = await readBrokerFile(ctx.home);
    const lastOwner = last && { pid: last.pid, start: last.processStart };
    const lastState = lastOwner && ownerState(lastOwner, last.startedAt);
    const lock = await StoreLock.inspect(ctx.home.storeDir);
    if (lastOwner && lastState === 'live' && last.port === port) {
      lines.push({ mark: '✘', text: `broker.json names pid ${last.pid} on port ${port}, which runs but does not answer`, fix: `kill ${last.pid} (a new broker starts on demand)` });
    } else if (lock?.state === 'live') {
      lines.push({ mark: '✘', text: `the store is locked by pid ${lock.owner.pid}, which runs but serves no broker`, fix: `kill ${lock.owner.pid} (a new broker starts on demand)` });
    } else {
      lines.push({ mark: '✔', text: 'no broker running now (peermesh mcp starts one on demand)' });
    }
    if (lastOwner && lastState === 'reused') lines.push({ mark: '!', text: `broker.json is left over from ${describeOwner(lastOwner, lastState)}; the next broker replaces it` });
    if (lock?.state === 'reused') lines.push({ mark: '!', text: `store/LOCK is left over from ${describeOwner(lock.owner, lock.state)}; the next broker takes it over` });
    return lines;
  }
  lines.push({ mark: '✘', text: `every candidate port (${candidatePorts(ctx.home, ctx.port).join(', ')}) is taken by other programs`, fix: 'pin a free port with --port / the peermesh.port setting' });
  return lines;
}

/**
 * The broker's files: a snapshot that does not read, a damaged journal, copies the broker kept
 * when it found damage. Reads only; the broker itself repairs what it can at its next start.
 */
async function checkStore(ctx: CliContext): Promise<Line[]> {
  const dir = ctx.home.storeDir;
  const snapshotFile = path.join(dir, 'mesh.db');
  const previousFile = path.join(dir, 'mesh.db.prev');
  const journalFile = path.join(dir, 'journal.jsonl');
  if (!existsSync(dir)) return [{ mark: '·', text: 'no store yet (the first broker creates it)' }];
  const lines: Line[] = [];
  const current = await readSnapshot(snapshotFile);
  const previous = current instanceof Error ? await readSnapshot(previousFile) : undefined;
  for (const s of [current, previous]) if (s && !(s instanceof Error)) s.db.close();
  if (current instanceof Error) {
    if (previous && !(previous instanceof Error)) {
      lines.push({ mark: '!', text: `the snapshot ${snapshotFile} is unreadable (${current.message}); the broker starts from ${previousFile} and the journal instead, and moves it aside` });
    } else {
      lines.push({
        mark: '✘',
        text: `the snapshot ${snapshotFile} is unreadable (${current.message}) and so is ${previousFile} (${previous ? previous.message : 'missing'}): the broker will not start`,
        fix: `restore ${snapshotFile} from a backup; or start over, losing the mesh's messages, state and plan: mv ${dir} ${dir}.broken`,
      });
    }
  }
  const text = await fs.readFile(journalFile, 'utf8').catch(() => '');
  const scan = scanJournal(text);
  if (scan.lostFromSeq !== undefined) {
    const kept = (await quarantineCopies(journalFile)).pop() ?? `${journalFile}.bak (make it first: cp ${journalFile} ${journalFile}.bak)`;
    const { problem, fix } = journalLossFix(journalFile, scan, kept);
    lines.push({ mark: '✘', text: `${problem}: the broker will not start`, fix });
  } else if (scan.damage.length > 0) {
    lines.push({ mark: '!', text: `the journal ${journalFile} has ${scan.damage.length} damaged line(s) between intact entries; the broker replays every entry and rewrites it at its next start` });
  }
  for (const copy of [...(await quarantineCopies(journalFile)), ...(await quarantineCopies(snapshotFile))]) {
    lines.push({ mark: '!', text: `${copy} is a damaged file the broker kept aside (its log says why)`, fix: `once nothing in it is needed any more: rm ${copy}` });
  }
  if (lines.length === 0) {
    const seq = current && !(current instanceof Error) ? `, journal seq ${current.seq}` : '';
    lines.push({ mark: '✔', text: `store reads back whole (snapshot${seq}, ${scan.entries.length} journal entries)` });
  }
  return lines;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: 10_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ ok: !err, out: (err ? stderr || err.message : stdout).trim().split('\n')[0] ?? '' });
    });
  });
}

async function checkClient(ctx: CliContext, target: ClientTarget): Promise<Line> {
  const fix = `peermesh setup ${target.id}`;
  let entry: Awaited<ReturnType<typeof readEntry>>;
  try {
    entry = await readEntry(target);
  } catch (e) {
    return { mark: '✘', text: `${target.label}: ${(e as Error).message}` };
  }
  if (!entry) {
    return isInstalled(target)
      ? { mark: '·', text: `${target.label}: installed, but PeerMesh is not set up in ${tilde(target.file)}`, fix }
      : { mark: '·', text: `${target.label}: not installed` };
  }
  if (!entry.command || !entry.args?.includes('mcp')) return { mark: '✘', text: `${target.label}: the peermesh entry in ${tilde(target.file)} does not run \`peermesh mcp\``, fix };
  // Which mesh the client joins: its PEERMESH_HOME, else the default home.
  const theirs = realOr(entry.env?.PEERMESH_HOME ?? defaultHomeDir());
  if (theirs !== ctx.home.dir) return { mark: '✘', text: `${target.label}: joins the mesh in ${theirs}, not this one (${ctx.home.dir})`, fix };
  const probe = await run(entry.command, [...entry.args.slice(0, entry.args.lastIndexOf('mcp')), '--version'], { ...process.env, ...entry.env });
  if (!probe.ok) return { mark: '✘', text: `${target.label}: \`${entry.command}\` does not start: ${probe.out}`, fix };
  const note = probe.out === version ? '' : ` (this CLI is ${version})`;
  return { mark: probe.out === version ? '✔' : '!', text: `${target.label}: ${tilde(target.file)} runs peermesh ${probe.out}${note}`, ...(note && { fix }) };
}

export async function doctor(ctx: CliContext): Promise<void> {
  const targets = clientTargets();
  const lines = [
    ...(await checkFiles(ctx)),
    ...(await checkBroker(ctx)),
    ...(await checkStore(ctx)),
    checkPath(ctx),
    ...(await Promise.all(clientIds.map((id) => checkClient(ctx, targets[id])))),
    ...(await checkHooks(ctx)),
    ...[await checkGeminiTrust().catch(() => undefined)].filter((l): l is Line => l !== undefined),
  ];
  const out = lines.map((l) => `${l.mark} ${l.text}${l.fix ? `\n    fix: ${l.fix}` : ''}`);
  const wrong = lines.filter((l) => l.mark === '✘').length;
  out.push(wrong === 0 ? 'PeerMesh looks healthy.' : `${wrong} problem${wrong === 1 ? '' : 's'} found.`);
  process.stdout.write(out.join('\n') + '\n');
  if (wrong > 0) process.exitCode = 1;
}
