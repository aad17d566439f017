import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PeerClient } from '../../../src/client/peer';
import type { Message } from '../../../src/protocol/entities';
import type { Prompts } from '../../../src/vscode/actions/prompts';
import type { PeerMeshExtensionApi } from '../../../src/vscode/extension';
import { joinedMesh, otherPeer, waitFor } from './helpers';
import { startMcpAgent } from './mcpAgent';

/** One notification the extension asked for. */
interface Notice {
  severity: 'info' | 'warning';
  message: string;
  buttons: string[];
}

/**
 * Answers in the person's place: notifications by `answer` (which may wait, like a person
 * reading before clicking), input boxes and quick picks from queues; records every notification.
 */
class ScriptedPrompts implements Prompts {
  readonly notices: Notice[] = [];
  answer: (notice: Notice) => string | undefined | Promise<string | undefined> = () => undefined;
  readonly inputs: string[] = [];
  readonly picks: Array<(item: vscode.QuickPickItem) => boolean> = [];

  async pick<T extends vscode.QuickPickItem>(items: readonly T[]): Promise<T | undefined> {
    const choose = this.picks.shift();
    return choose && items.find((item) => item.kind !== vscode.QuickPickItemKind.Separator && choose(item));
  }

  async pickMany<T extends vscode.QuickPickItem>(): Promise<readonly T[] | undefined> {
    return undefined;
  }

  async input(): Promise<string | undefined> {
    return this.inputs.shift();
  }

  notify(severity: 'info' | 'warning', message: string, _options: unknown, ...buttons: string[]): Promise<string | undefined> {
    const notice = { severity, message, buttons };
    this.notices.push(notice);
    return Promise.resolve(this.answer(notice));
  }

  /** The notification whose text includes `text`, once it is shown. */
  shown(text: string, timeoutMs = 10_000): Promise<Notice> {
    return waitFor(`a notification with "${text}"`, () => this.notices.find((n) => n.message.includes(text)), timeoutMs);
  }
}

function labelOf(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : item.label?.label ?? '';
}

/** The Messages view's row of message `id`. */
function row(api: PeerMeshExtensionApi, id: number): vscode.TreeItem | undefined {
  return api.trees.messages.rows().find((item) => item.id === `message-${id}`);
}

async function setNotifications(level: 'all' | 'requests' | 'none' | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('peermesh').update('notifications', level, vscode.ConfigurationTarget.Global);
}

describe('Messages to the person', () => {
  let api: PeerMeshExtensionApi;
  let scripted: ScriptedPrompts;
  let previous: Prompts;
  const peers: PeerClient[] = [];

  /** Another peer in the window's mesh, closed after the suite. */
  const join = async (name: string): Promise<PeerClient> => {
    const peer = await otherPeer(name);
    peers.push(peer);
    return peer;
  };
  /** `from` sends the window a message; resolves once the window has it. */
  const sendToWindow = async (from: PeerClient, body: string, kind: Message['kind'] = 'text'): Promise<Message> => {
    const [message] = (await from.request('messages/send', { to: { peer: api.mesh.client!.peer.id }, kind, body })).messages;
    await waitFor(`message #${message.id} in the window`, () => api.model.messages.items.find((m) => m.id === message.id));
    return message;
  };

  before(async () => {
    api = await joinedMesh();
    scripted = new ScriptedPrompts();
    previous = api.prompts.current;
    api.prompts.current = scripted;
  });
  after(async () => {
    api.prompts.current = previous;
    await vscode.commands.executeCommand('peermesh.filterMessages', 'toMe');
    await setNotifications(undefined);
    for (const peer of peers) await peer.close().catch(() => undefined);
  });

  it('shows a request as a notification with Reply and Open; Reply answers in its thread and marks it read', async function () {
    this.timeout(120_000);
    // A real agent: `peermesh mcp` in its own process, through an MCP client.
    const agent = await startMcpAgent('asking-agent');
    try {
      scripted.answer = (notice) => (notice.message.includes('asking-agent asks:') ? 'Reply' : undefined);
      scripted.inputs.push('Yes, after lunch');
      const body = 'Can you review [the parser](command:peermesh.restartBroker)?\nIt is in src/parser.ts';
      const { ids: [questionId] } = await agent.call('mesh_send', { to: api.mesh.client!.peer.id, body, kind: 'request' });
      const question = await waitFor(`message #${questionId} in the window`, () => api.model.messages.items.find((m) => m.id === questionId), 30_000);

      const notice = await scripted.shown('asking-agent asks:');
      assert.equal(notice.severity, 'info');
      assert.deepEqual(notice.buttons, ['Reply', 'Open']);
      // The first line only, and another peer's link stays text (no command link in a notification).
      assert.equal(notice.message, 'asking-agent asks: Can you review [the parser]\u200b(command:peermesh.restartBroker)? …');

      const answer = await waitFor('the reply in the agent\'s inbox', async () => (await agent.inbox()).find((m) => m.kind === 'reply'), 30_000);
      assert.equal(answer.body, 'Yes, after lunch');
      assert.equal(answer.replyTo, question.id);
      assert.equal(answer.from, api.mesh.client!.peer.name);
      await waitFor('the question read in the window', () => (api.model.messages.items.find((m) => m.id === question.id)?.readAt ? true : undefined));
      const { messages: [stored] } = await api.mesh.client!.request('messages/get', { ids: [question.id] });
      assert.equal(stored.state, 'read', 'the broker has it read too');
      const { messages: [reply] } = await api.mesh.client!.request('messages/get', { ids: [answer.id] });
      assert.equal(reply.threadId, question.threadId, 'the reply is in the question\'s thread');
    } finally {
      await agent.close();
    }
  });

  it('lists a message in the Messages view, unread (with the view\'s badge) until Open reveals it and marks it read', async () => {
    const agent = await join('heads-up-agent');
    let open!: (choice: string) => void;
    scripted.answer = (notice) => (notice.message.startsWith('heads-up-agent:') ? new Promise((resolve) => { open = resolve; }) : undefined);
    const message = await sendToWindow(agent, 'I renamed config.ts to settings.ts');
    await scripted.shown('heads-up-agent: I renamed config.ts to settings.ts');

    // While the notification is up, the row is unread.
    const unread = await waitFor('the message row', () => row(api, message.id));
    assert.equal(labelOf(unread), 'heads-up-agent: I renamed config.ts to settings.ts');
    assert.match(String(unread.description), /^● unread · /);
    assert.equal(unread.contextValue, 'message.unread');
    assert.equal((unread.iconPath as vscode.ThemeIcon).id, 'mail');
    assert.equal(api.trees.messages.rows()[0].id, `message-${message.id}`, 'newest first');
    assert.ok((api.trees.messages.view.badge?.value ?? 0) >= 1, 'the view\'s badge counts it');

    open('Open');
    await waitFor('the row read', () => (row(api, message.id)?.contextValue === 'message.read' ? true : undefined));
    assert.doesNotMatch(String(row(api, message.id)!.description), /unread/);
    // The suite bundles its own copy of the tree's classes: compare the row's message, not its class.
    await waitFor('the message selected in the view', () => {
      const [node] = api.trees.messages.view.selection as ReadonlyArray<{ message?: Message }>;
      return node?.message?.id === message.id ? true : undefined;
    });
    const { messages: [stored] } = await api.mesh.client!.request('messages/get', { ids: [message.id] });
    assert.equal(stored.state, 'read');
  });

  it('filters to all traffic, which shows what two other peers said to each other, and to one peer', async () => {
    const [a, b] = [await join('traffic-a'), await join('traffic-b')];
    const [between] = (await a.request('messages/send', { to: { peer: 'traffic-b' }, body: 'the schema changes at noon' })).messages;
    assert.equal(row(api, between.id), undefined, '"To me" shows only the person\'s messages');

    scripted.picks.push((item) => item.label.includes('All traffic'));
    await vscode.commands.executeCommand('peermesh.filterMessages');
    assert.equal(api.traffic.filter.kind, 'all');
    assert.equal(api.trees.messages.view.description, 'all traffic');
    const shown = await waitFor('the message between the peers', () => row(api, between.id));
    assert.equal(labelOf(shown), 'traffic-a → traffic-b: the schema changes at noon', 'named, even a peer that joined a moment ago');
    assert.equal(shown.contextValue, 'message.other', 'no Reply or Mark Read on others\' messages');

    // While the filter is on, new traffic follows (message_sent events).
    const [answer] = (await b.request('messages/send', { to: { peer: 'traffic-a' }, kind: 'reply', body: 'noted', replyTo: between.id })).messages;
    await waitFor('the answer in the traffic', () => row(api, answer.id));
    assert.equal(scripted.notices.some((n) => n.message.includes('schema changes') || n.message.includes('noted')), false, 'no notification for others\' messages');

    scripted.picks.push((item) => item.label.endsWith(' traffic-b'));
    await vscode.commands.executeCommand('peermesh.filterMessages');
    assert.equal(api.trees.messages.view.description, 'from/to traffic-b');
    const rows = api.trees.messages.rows().filter((item) => item.id?.startsWith('message-') && !item.id.includes('-line-'));
    assert.deepEqual(rows.map(labelOf), ['traffic-b → traffic-a: noted', 'traffic-a → traffic-b: the schema changes at noon']);

    await vscode.commands.executeCommand('peermesh.filterMessages', 'toMe');
    assert.equal(row(api, between.id), undefined);
    assert.equal(api.trees.messages.view.description, undefined);
  });

  it('shows no notification with the setting "none" (nor for plain messages with "requests"), yet lists the message', async () => {
    const agent = await join('quiet-agent');
    try {
      await setNotifications('none');
      const hushed = await sendToWindow(agent, 'nobody is notified of this');
      await setNotifications('requests');
      const plain = await sendToWindow(agent, 'nor of this');
      const request = await sendToWindow(agent, 'but of this request', 'request');
      await scripted.shown('quiet-agent asks: but of this request');
      assert.equal(scripted.notices.some((n) => n.message.includes('nobody is notified') || n.message.includes('nor of this')), false);
      for (const m of [hushed, plain, request]) assert.ok(row(api, m.id), `#${m.id} is listed`);
      assert.equal(row(api, hushed.id)?.contextValue, 'message.unread');
    } finally {
      await setNotifications(undefined);
    }
  });

  it('sums up a burst from one sender: one notification at once, one for the rest after a quiet spell', async function () {
    this.timeout(30_000);
    const agent = await join('burst-agent');
    for (const body of ['step 1 done', 'step 2 done', 'step 3 done']) await sendToWindow(agent, body);
    await scripted.shown('burst-agent: step 1 done');
    const summary = await scripted.shown('burst-agent: step 3 done (and 1 more from burst-agent)', 15_000);
    assert.deepEqual(summary.buttons, ['Reply', 'Open']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(scripted.notices.filter((n) => n.message.startsWith('burst-agent')).length, 2);
  });

  it('logs who wrote to the person, never what', async () => {
    await vscode.commands.executeCommand('peermesh.showLog');
    const text = await waitFor('the message line in the log', () =>
      vscode.workspace.textDocuments
        .filter((doc) => doc.uri.scheme === 'output')
        .map((doc) => doc.getText())
        .find((t) => t.includes('[messages] request from asking-agent to the person')), 15_000);
    assert.ok(!text.includes('Can you review'), 'no message body in the log');
  });
});
