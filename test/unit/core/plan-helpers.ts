/** Fixtures for the plan tests: a small plan to submit, and the events of a type. */
import { PlanInput } from '../../../src/protocol/plan';
import type { EventType, MeshEventOf } from '../../../src/protocol/entities';
import type { MeshCore } from '../../../src/core/mesh';
import { peersInRepo, type Harness } from './helpers';

/** Two agents, alice and bob, in one repository whose plan alice submitted ({@link loginPlan}). */
export async function planInRepo(): Promise<{ h: Harness; alice: string; bob: string; repo: string }> {
  const { h, ids: [alice, bob] } = await peersInRepo('alice', 'bob');
  const repo = (await h.mesh.peers.require(alice)).gitRoot!;
  await h.mesh.plans.submit(alice, undefined, loginPlan(), 'agent');
  return { h, alice, bob, repo };
}

/**
 * Two phases: `schema` → `endpoint` (API), then `form` (UI), and one contract the endpoint
 * implements. `change` edits the raw input before it is parsed.
 */
export function loginPlan(change: (p: ReturnType<typeof rawLoginPlan>) => void = () => undefined): PlanInput {
  const raw = rawLoginPlan();
  change(raw);
  return PlanInput.parse(raw);
}

/** {@link loginPlan} unchecked, for input a broker must refuse. */
export function rawPlan(change: (p: ReturnType<typeof rawLoginPlan>) => void): PlanInput {
  const raw = rawLoginPlan();
  change(raw);
  return raw as PlanInput;
}

function rawLoginPlan() {
  return {
    title: 'Login',
    description: 'Sign in with a password',
    phases: [
      {
        id: 'api', title: 'API', detail: '',
        tasks: [
          { id: 'schema', title: 'User schema', files: ['src/db/schema.ts'], dependsOn: [] as string[], contracts: [] as string[] },
          { id: 'endpoint', title: 'Login endpoint', files: ['src/api/**'], dependsOn: ['schema'], contracts: ['login-api'] },
        ],
      },
      {
        id: 'ui', title: 'UI', detail: '',
        tasks: [{ id: 'form', title: 'Login form', files: ['src/ui/login.tsx'], dependsOn: ['endpoint'], contracts: ['login-api'] }],
      },
    ],
    contracts: [
      { id: 'login-api', kind: 'api' as const, name: 'POST /login', spec: '{ user, password } -> { token }', file: null as string | null },
      { id: 'user-type', kind: 'type' as const, name: 'User', spec: '{ id, name }', file: 'src/types.ts' as string | null },
    ],
  };
}

/** Every event of `type` so far, oldest first. */
export async function eventsOf<T extends EventType>(mesh: MeshCore, type: T): Promise<Array<MeshEventOf<T>>> {
  return (await mesh.events.read(0, [type], 1000)).events;
}
