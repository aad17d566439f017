import assert from 'node:assert/strict';
import path from 'node:path';
import { patternOverlap, toPattern } from '../../../src/core/task-overlap';
import { peersInRepo, tempDir, writeFile, type Harness } from './helpers';
import { loginPlan } from './plan-helpers';

describe('core/plan: overlap warnings', () => {
  describe('patterns', () => {
    const root = '/work/project';
    const cases: Array<[string, string, string | null]> = [
      ['src/api/**', 'src/api/users.ts', 'src/api/users.ts'],
      ['src/**/*.ts', 'src/x.ts', 'src/x.ts'],
      ['src/api', 'src/api/users.ts', 'src/api/users.ts'],
      ['src/api/', 'src/api/deep/users.ts', 'src/api/deep/users.ts'],
      ['./src/api.ts', 'src/api.ts', 'src/api.ts'],
      [`${root}/src/a.ts`, 'src/a.ts', 'src/a.ts'],
      ['src/**', 'src/api/*.ts', 'src/api/*.ts'],
      ['src/**/*.ts', 'src/api', 'src/api'],
      ['src', 'src/api/*.ts', 'src/api/*.ts'],
      ['.', 'README.md', 'README.md'],
      ['src/{a,b}.ts', 'src/b.ts', 'src/b.ts'],
      ['src/api/**', 'src/ui/form.tsx', null],
      ['src/**/*.ts', 'src/x.css', null],
      ['src/a.ts', 'src/ab.ts', null],
      ['src/api', 'src/apis/x.ts', null],
      ['lib/**', 'src/**', null],
      ['src/**/*.ts', 'src/**/*.css', null],
      ['src/**/*.ts', 'src/api/*.d.ts', 'src/api/*.d.ts'],
      ['src/**/*.ts', 'src/api/**', 'src/api/**'],
      ['../outside.ts', 'outside.ts', null],
    ];
    for (const [a, b, expected] of cases) {
      it(`${a} and ${b}: ${expected ?? 'no overlap'}`, () => {
        const pa = toPattern(a, root);
        const pb = toPattern(b, root);
        const got = pa && pb ? patternOverlap(pa, pb) : null;
        assert.equal(got, expected);
        assert.equal(pa && pb ? patternOverlap(pb, pa) : null, expected, 'either way round');
      });
    }
  });

  describe('on claim and start', () => {
    let h: Harness;
    let alice: string;
    let bob: string;
    let carol: string;
    let repo: string;

    beforeEach(async () => {
      ({ h, ids: [alice, bob, carol] } = await peersInRepo('alice', 'bob', 'carol'));
      repo = (await h.mesh.peers.require(alice)).gitRoot!;
      writeFile(path.join(repo, 'src', 'api', 'login.ts'));
      await h.mesh.plans.submit(alice, undefined, loginPlan((p) => {
        p.phases[0].tasks[0].files = ['src/api/schema.ts', 'src/db/**'];
        p.phases[0].tasks.push({ id: 'routes', title: 'Routes', files: ['src/api/routes.ts'], dependsOn: [], contracts: [] });
        p.phases[0].tasks.push({ id: 'docs', title: 'Docs', files: ['docs/**'], dependsOn: [], contracts: [] });
      }), 'agent');
    });

    afterEach(() => h.mesh.dispose());

    it('names other peers\' claims inside the project and their tasks in progress on the same files, each once', async () => {
      const { lock } = await h.mesh.locks.acquire(bob, { path: 'src/api/login.ts' }, { reason: 'fixing' });
      await h.mesh.locks.acquire(bob, { path: 'src/api/login.ts', startLine: 1, endLine: 2 }, { reason: 'again' });
      await h.mesh.locks.acquire(alice, { path: 'src/api/mine.ts' }, { reason: 'own claims are no news' });
      await h.mesh.locks.acquire(bob, { path: path.join(tempDir(), 'src', 'api', 'x.ts') }, { reason: 'outside the project' });
      await h.mesh.plans.claim(carol, undefined, 'schema');
      await h.mesh.plans.claim(bob, undefined, 'routes');
      const { warnings } = await h.mesh.plans.claim(alice, undefined, 'endpoint', 'schema is on its way');
      assert.deepEqual(warnings, [
        { kind: 'lock', peer: bob, peerName: 'bob', path: 'src/api/login.ts', lockId: lock.id },
        { kind: 'lock', peer: bob, peerName: 'bob', path: 'src/api/login.ts', lockId: lock.id + 1 },
        { kind: 'task', peer: carol, peerName: 'carol', path: 'src/api/schema.ts', task: 'schema' },
        { kind: 'task', peer: bob, peerName: 'bob', path: 'src/api/routes.ts', task: 'routes' },
      ]);
      const [, claimed] = (await h.mesh.events.read(0, ['task_claimed'], 10)).events.slice(1);
      assert.equal(claimed.data.overlaps, 4);
      assert.deepEqual((await h.mesh.plans.claim(alice, undefined, 'docs')).warnings, []);
    });

    it('moving a task to in progress warns the same way; other moves do not', async () => {
      await h.mesh.plans.claim(bob, undefined, 'routes');
      const started = await h.mesh.plans.update(alice, undefined, 'endpoint', { status: 'in_progress', force: 'go' });
      assert.deepEqual(started.warnings.map((w) => [w.kind, w.task]), [['task', 'routes']]);
      assert.deepEqual((await h.mesh.plans.update(alice, undefined, 'endpoint', { status: 'review' })).warnings, []);
    });

    it('a disconnected peer\'s task still overlaps; a gone peer\'s, not yet freed, does not', async () => {
      await h.mesh.plans.claim(bob, undefined, 'routes');
      await h.mesh.peers.disconnected(bob);
      assert.equal((await h.mesh.plans.claim(alice, undefined, 'endpoint', 'go')).warnings.length, 1);
      await h.mesh.plans.update(alice, undefined, 'endpoint', { status: 'todo' });
      await h.mesh.peers.leave(bob);
      assert.deepEqual((await h.mesh.plans.claim(alice, undefined, 'endpoint', 'go')).warnings, []);
    });
  });
});
