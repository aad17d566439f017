/**
 * Plan From Description…: the editor's language model (`vscode.lm`) breaks a description of
 * the work into a plan, which is submitted as the editor's. A project without a plan stores it
 * at once; a project with one gets a proposal, which is shown for review (accept or reject):
 * nothing is ever overwritten without the person saying so.
 *
 * The description is the active editor's selection when there is one, else typed in an input
 * box. The model is the only one there is, else the one the person picks. Decomposition runs
 * under a cancellable progress notification; cancelling cancels the model's request (its
 * CancellationToken) and ends the command quietly. The prompt, the validation and the one
 * retry with the validation errors are core/decompose.ts's.
 */
import * as vscode from 'vscode';
import { decompose, DecompositionFailed, descriptionLimit, type ChatTurn } from '../../core/decompose';
import { plural } from '../../core/plural';
import { printable } from '../../core/printable';
import { BrokerError } from '../../protocol/errors';
import type { PlanView, Proposal } from '../../protocol/plan';
import { reviewProposal, projectOf, type PlanActionContext } from '../actions/planActions';
import { clientOf } from '../actions/context';
import { cancelled } from '../actions/prompts';
import { focusViewCommand, viewIds } from '../ids';
import { inert } from '../messageText';
import { planAsInput } from './planText';

/** What a run ended with: the plan stored, or a proposal and what the person decided. */
export type PlanningOutcome =
  | { readonly kind: 'stored'; readonly plan: PlanView }
  | { readonly kind: 'proposed'; readonly proposal: Proposal; readonly decision: 'accepted' | 'rejected' | undefined };

/** Longest answer read from a model, in characters: a plan at its limits fits well within it. */
const answerLimit = 2_000_000;
/** Longest current plan handed to the model as context, in characters of JSON. */
const contextLimit = 60_000;

const noModel = 'no language model is available in this editor. Install and sign in to an extension that provides one '
  + '(GitHub Copilot Chat, or any language model provider), or write the plan yourself and import it: `peermesh plan import plan.json`';

export class PlanFromDescription {
  /** Cancels the run under way, as its notification's Cancel button does. */
  private running: vscode.CancellationTokenSource | undefined;

  constructor(private readonly ctx: PlanActionContext) {}

  /** Cancels the decomposition under way, if any (the tests' way to press Cancel). */
  cancel(): void {
    this.running?.cancel();
  }

  /** Runs the command; `description` skips asking for one. */
  async run(description?: unknown): Promise<PlanningOutcome> {
    const project = projectOf(this.ctx);
    const text = typeof description === 'string' ? description : await this.askDescription();
    const model = await this.pickModel();
    // The plan as it is now (the view may still be fetching it): the model revises it rather than restarting.
    await this.ctx.plan.refresh();
    const current = this.ctx.plan.plan;
    const input = await vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification,
      title: `PeerMesh: planning with ${inert(model.name)}`,
      cancellable: true,
    }, async (progress, token) => {
      const source = new vscode.CancellationTokenSource();
      this.running = source;
      const abort = new AbortController();
      const linked = token.onCancellationRequested(() => source.cancel());
      source.token.onCancellationRequested(() => abort.abort());
      try {
        return await decompose(text, (turns) => this.ask(model, turns, source.token), {
          signal: abort.signal,
          ...(current && { context: currentPlanContext(current) }),
          onAttempt: (n) => progress.report({ message: n === 1 ? 'breaking the work into tasks…' : 'the answer was not a valid plan; asking again with what was wrong…' }),
        });
      } catch (error) {
        if (source.token.isCancellationRequested) cancelled();
        throw this.explain(error);
      } finally {
        linked.dispose();
        source.dispose();
        if (this.running === source) this.running = undefined;
      }
    });
    const client = clientOf(this.ctx.mesh);
    const { plan, proposal } = await client.request('plan/submit', { project, plan: input, source: 'editor' });
    if (!proposal) {
      const stored = plan!;
      this.ctx.log.info(`[plan] stored the plan "${stored.title}" made by ${model.name}: version ${stored.version}`);
      await this.ctx.plan.refresh();
      void vscode.commands.executeCommand(focusViewCommand(viewIds.plan));
      const tasks = stored.phases.reduce((n, p) => n + p.tasks.length, 0);
      void this.ctx.prompts.notify('info', inert(`PeerMesh: the plan "${stored.title}" is stored: ${plural(stored.phases.length, 'phase')}, `
        + `${plural(tasks, 'task')}, ${plural(stored.contracts.length, 'contract')}.`), {});
      return { kind: 'stored', plan: stored };
    }
    this.ctx.log.info(`[plan] the project has a plan: the new one is proposal ${proposal.id} (${plural(proposal.changes.length, 'change')})`);
    await this.ctx.plan.refresh();
    return { kind: 'proposed', proposal, decision: await reviewProposal(this.ctx, proposal) };
  }

  private async askDescription(): Promise<string> {
    const editor = vscode.window.activeTextEditor;
    const selected = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : '';
    if (selected.trim()) return selected;
    const typed = await this.ctx.prompts.input({
      title: 'Plan From Description',
      prompt: 'Describe the work; a language model breaks it into phases, tasks and contracts. (Or select a longer description in an editor first.)',
      placeHolder: 'e.g. Add passwordless sign-in with e-mail links to the web app',
      validateInput: (value) => (value.trim() === '' ? 'Describe the work to plan.'
        : value.length > descriptionLimit ? `At most ${descriptionLimit} characters.` : undefined),
    });
    return typed?.trim() || cancelled();
  }

  private async pickModel(): Promise<vscode.LanguageModelChat> {
    const models = await vscode.lm.selectChatModels();
    if (models.length === 0) throw new Error(noModel);
    if (models.length === 1) return models[0];
    const picked = await this.ctx.prompts.pick(models.map((model) => ({
      label: inert(model.name), description: inert(`${model.vendor} · ${model.family}`), model,
    })), { title: 'Plan with which language model?', placeHolder: 'A language model' });
    return picked?.model ?? cancelled();
  }

  /** One turn of the conversation: the model's whole answer, streamed. */
  private async ask(model: vscode.LanguageModelChat, turns: ChatTurn[], token: vscode.CancellationToken): Promise<string> {
    const messages = turns.map((turn) => (turn.role === 'user'
      ? vscode.LanguageModelChatMessage.User(turn.text)
      : vscode.LanguageModelChatMessage.Assistant(turn.text)));
    const response = await model.sendRequest(messages, { justification: 'PeerMesh breaks your description into a shared plan for your agents.' }, token);
    let answer = '';
    for await (const chunk of response.text) {
      answer += chunk;
      if (answer.length > answerLimit) throw new Error(`the model's answer ran past ${answerLimit} characters; no plan is that long`);
    }
    return answer;
  }

  /** The error in the person's terms; a failed decomposition's answers go to the log. */
  private explain(error: unknown): unknown {
    if (error instanceof DecompositionFailed) {
      error.attempts.forEach((attempt, i) => {
        this.ctx.log.warn(`[plan] answer ${i + 1} was not a valid plan: ${attempt.issues.join('; ')}\n${printable(attempt.answer.slice(0, 4000))}`);
      });
      return new Error(`the language model did not produce a valid plan in ${error.attempts.length} attempts `
        + `(${error.attempts.at(-1)?.issues.slice(0, 2).join('; ')}); its answers are in the log. Try again, or another model.`);
    }
    if (error instanceof vscode.LanguageModelError) return new Error(`the language model refused: ${error.message} (${error.code})`);
    if (BrokerError.is(error, 'invalidInput')) return new Error(error.message);
    return error;
  }
}

/** The current plan, for the model to revise rather than restart (its ids keep what stays). */
function currentPlanContext(plan: PlanView): string {
  const json = JSON.stringify(planAsInput(plan));
  const body = json.length <= contextLimit ? json
    : plan.phases.map((p) => `${p.id}: ${p.tasks.map((t) => t.id).join(', ')}`).join('\n');
  return `The project has this plan already. Keep the ids of what stays the same; the answer replaces the plan as a whole.\n${body}`;
}
