/** The README's example plan is one users copy: it must be a plan PeerMesh takes. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PlanInput } from '../../../src/protocol/plan';

describe('README: the example plan', () => {
  it('parses as a plan, with its dependency and contracts resolved', () => {
    const readme = readFileSync(path.join(__dirname, '../../../README.md'), 'utf8');
    const example = /## The shared plan[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(example, 'the section has a json block');
    const parsed = PlanInput.safeParse(JSON.parse(example));
    assert.ok(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues));
    const tasks = parsed.data.phases.flatMap((p) => p.tasks);
    assert.deepEqual(tasks.find((t) => t.id === 'e2e')?.dependsOn, ['login-route', 'login-form']);
  });
});
