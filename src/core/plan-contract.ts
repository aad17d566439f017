/**
 * Adding or changing one interface contract of a plan (`plan/contract`), outside a whole-plan
 * proposal. A new spec is a new version, proposed again unless the change says its status; a
 * change of name, kind, file or symbol keeps the version. Any change but a status move is a
 * change of the plan's structure, so it moves the plan's version too: a proposal made before
 * it would undo it, and must be submitted again to be accepted.
 */
import { BrokerError } from '../protocol/errors';
import type { Peer } from '../protocol/entities';
import { planLimits, type Contract, type ContractKind, type ContractStatus } from '../protocol/plan';
import type { MeshTx } from './context';
import { loadContract } from './plan-store';

/** The fields of a `plan/contract` request: all but the id optional. */
export interface ContractChange {
  id: string; kind?: ContractKind; name?: string; file?: string | null; symbol?: string | null; spec?: string; status?: ContractStatus;
}

/**
 * Creates or changes the contract; emits `contract_changed` unless nothing changed. Inside a
 * transaction. `newVersion`: an existing contract gets the next version even when its spec
 * stays (a `contract_change` delta says the contract changed, with or without its new spec).
 */
export async function contractChange(
  t: MeshTx, peer: Peer, root: string, change: ContractChange, now: number, { newVersion = false } = {},
): Promise<Contract> {
  const old = await loadContract(t.db, root, change.id);
  let next: Contract;
  if (!old) {
    const missing = (['kind', 'name', 'spec'] as const).filter((f) => change[f] === undefined);
    if (missing.length > 0) throw new BrokerError('invalidInput', `a new contract needs a kind, a name and a spec: ${missing.join(', ')} missing`);
    const count = (await t.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM plan_contracts WHERE project = ?', [root]))?.n ?? 0;
    if (count >= planLimits.contracts) {
      throw new BrokerError('invalidInput', `the plan of ${root} has ${count} contracts, the most a plan may have: change or remove one (by a proposal) instead`);
    }
    next = {
      id: change.id, kind: change.kind!, name: change.name!, file: change.file ?? null, symbol: change.symbol ?? null, spec: change.spec!,
      version: 1, status: change.status ?? 'proposed', updatedAt: now, updatedBy: peer.id,
    };
  } else {
    const newSpec = change.spec !== undefined && change.spec !== old.spec;
    const bumped = newSpec || newVersion;
    next = {
      ...old,
      kind: change.kind ?? old.kind, name: change.name ?? old.name,
      file: change.file === undefined ? old.file : change.file, symbol: change.symbol === undefined ? old.symbol : change.symbol,
      spec: change.spec ?? old.spec,
      version: bumped ? old.version + 1 : old.version,
      status: change.status ?? (bumped ? 'proposed' : old.status),
      updatedAt: now, updatedBy: peer.id,
    };
    const same = (['kind', 'name', 'file', 'symbol', 'spec', 'status'] as const).every((f) => next[f] === old[f]);
    if (same && !bumped) return old;
  }
  const structural = !old || (['kind', 'name', 'file', 'symbol', 'spec'] as const).some((f) => next[f] !== old[f]);
  const position = old ? null : ((await t.db.get<{ n: number | null }>('SELECT MAX(position) AS n FROM plan_contracts WHERE project = ?', [root]))?.n ?? -1) + 1;
  await t.db.run(
    `INSERT INTO plan_contracts (project, id, position, kind, name, file, symbol, spec, version, status, updated_at, updated_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (project, id) DO UPDATE SET kind = excluded.kind, name = excluded.name, file = excluded.file,
       symbol = excluded.symbol, spec = excluded.spec, version = excluded.version, status = excluded.status,
       updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    [root, next.id, position ?? 0, next.kind, next.name, next.file, next.symbol, next.spec, next.version, next.status, now, peer.id],
  );
  if (structural) await t.db.run('UPDATE plans SET version = version + 1, updated_at = ?, updated_by = ? WHERE project = ?', [now, peer.id, root]);
  await t.emit('contract_changed', peer.id, {
    project: root, contract: next.id, name: next.name, version: next.version, status: next.status, byName: peer.name,
  });
  return next;
}
