/**
 * Decomposition by a language model: the answer is read as a plan and validated; an invalid
 * answer is answered once with its issues; a second invalid answer fails with both attempts;
 * nothing half-parsed comes back. The "model" here is a script of answers, as the model would
 * give them (fenced, with prose, wrong).
 */
import assert from 'node:assert/strict';
import { DecompositionFailed, decompose, decompositionPrompt, readPlanAnswer, type ChatTurn } from '../../../src/core/decompose';
import { BrokerError } from '../../../src/protocol/errors';
import { PlanInput } from '../../../src/protocol/plan';

const valid = {
  title: 'Search',
  phases: [{
    id: 'backend', title: 'Backend',
    tasks: [
      { id: 'index', title: 'Build the index', files: ['src/search/index.ts'] },
      { id: 'query', title: 'Query endpoint', files: ['src/api/search.ts'], dependsOn: ['index'], contracts: ['search-api'] },
    ],
  }],
  contracts: [{ id: 'search-api', kind: 'api', name: 'GET /search', spec: '?q= → {hits: [...]}' }],
};

/** A model that answers from a script and keeps every conversation it was asked. */
function scripted(...answers: string[]) {
  const asked: ChatTurn[][] = [];
  const ask = (turns: ChatTurn[]) => {
    asked.push(turns.map((t) => ({ ...t })));
    const answer = answers.shift();
    if (answer === undefined) throw new Error('the model was asked more often than scripted');
    return Promise.resolve(answer);
  };
  return { ask, asked };
}

describe('core/decompose: a plan from a language model', () => {
  it('reads a plan given bare, fenced, or with prose around it', () => {
    for (const answer of [
      JSON.stringify(valid),
      `Here is the plan:\n\`\`\`json\n${JSON.stringify(valid, null, 2)}\n\`\`\`\nGood luck.`,
      `Sure! ${JSON.stringify(valid)} Let me know.`,
    ]) {
      const read = readPlanAnswer(answer);
      assert.ok('plan' in read, JSON.stringify(read));
      assert.equal(read.plan.phases[0].tasks[1].dependsOn[0], 'index');
      assert.deepEqual(read.plan.phases[0].tasks[0].contracts, [], 'defaults applied');
    }
  });

  it('names what is wrong by its JSON path: unknown dependency, duplicate id, cycle, missing contract', () => {
    const bad = structuredClone(valid) as typeof valid & { phases: Array<{ tasks: Array<Record<string, unknown>> }> };
    bad.phases[0].tasks.push({ id: 'index', title: 'Again' });
    bad.phases[0].tasks[1].contracts = ['nope'];
    (bad.phases[0].tasks[1].dependsOn as string[]).push('ghost');
    const read = readPlanAnswer(JSON.stringify(bad));
    assert.ok('issues' in read);
    const text = read.issues.join('\n');
    assert.match(text, /phases\.0\.tasks\.2\.id: task id "index" is used twice/);
    assert.match(text, /phases\.0\.tasks\.1\.dependsOn\.1: .*"ghost", which is not a task/);
    assert.match(text, /phases\.0\.tasks\.1\.contracts\.0: .*"nope"/);
    const circle = structuredClone(valid) as typeof valid & { phases: Array<{ tasks: Array<Record<string, unknown>> }> };
    circle.phases[0].tasks[0].dependsOn = ['query'];
    const looped = readPlanAnswer(JSON.stringify(circle));
    assert.ok('issues' in looped);
    assert.deepEqual(looped.issues, ['phases: tasks depend on each other in a circle: index → query → index']);
  });

  it('says so when there is no JSON, or it does not parse', () => {
    assert.deepEqual(readPlanAnswer('I cannot help with that.'), { issues: ['the answer holds no JSON object: answer with the plan as one JSON object'] });
    const read = readPlanAnswer('{"title": "x", phases: []}');
    assert.ok('issues' in read && /does not parse/.test(read.issues[0]));
  });

  it('asks once more with the issues, and returns the corrected plan', async () => {
    const model = scripted('{"title": "Search", "phases": []}', JSON.stringify(valid));
    const attempts: number[] = [];
    const plan = await decompose('Add full-text search', model.ask, { onAttempt: (n) => attempts.push(n) });
    assert.deepEqual(attempts, [1, 2]);
    assert.equal(PlanInput.parse(plan).title, 'Search');
    assert.equal(model.asked.length, 2);
    const retry = model.asked[1];
    assert.equal(retry.length, 3, 'prompt, the invalid answer, the issues');
    assert.equal(retry[1].role, 'assistant');
    assert.match(retry[2].text, /- phases: Too small/);
  });

  it('fails after the second invalid answer with both attempts, returning nothing', async () => {
    const model = scripted('no plan', '{"title": ""}');
    await assert.rejects(decompose('Add search', model.ask), (e: unknown) => {
      assert.ok(e instanceof DecompositionFailed);
      assert.equal(e.attempts.length, 2);
      assert.equal(e.attempts[0].answer, 'no plan');
      assert.match(e.attempts[1].issues.join('\n'), /title/);
      return true;
    });
    assert.equal(model.asked.length, 2, 'never a third time');
  });

  it('refuses an empty or oversized description before asking', async () => {
    const model = scripted();
    await assert.rejects(decompose('   ', model.ask), (e) => BrokerError.is(e, 'invalidInput') && /empty/.test(e.message));
    await assert.rejects(decompose('x'.repeat(20_001), model.ask), (e) => BrokerError.is(e, 'invalidInput') && /20001 characters/.test(e.message));
    assert.equal(model.asked.length, 0);
  });

  it('stops when cancelled, between attempts too', async () => {
    const controller = new AbortController();
    const ask = () => {
      controller.abort();
      return Promise.resolve('not json');
    };
    await assert.rejects(decompose('Add search', ask, { signal: controller.signal }), (e) => BrokerError.is(e, 'cancelled'));
  });

  it('puts the description and the project context in the prompt, with a valid example plan', () => {
    const [turn] = decompositionPrompt('Add search', 'src/ has api/ and web/');
    assert.match(turn.text, /The work:\nAdd search$/);
    assert.match(turn.text, /What the project has now:\nsrc\/ has api\/ and web\//);
    const example = /shaped like this example:\n(.*)\n/.exec(turn.text)?.[1] ?? '';
    assert.ok(PlanInput.safeParse(JSON.parse(example)).success, 'the example the model copies is itself a valid plan');
  });
});
