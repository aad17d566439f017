import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import * as vscode from 'vscode';
import type { Message } from '../../../src/protocol/entities';
import { activatedExtension, joinedMesh, manifest, meshHomeDir, waitFor, workspaceFolder } from './helpers';
import { startMcpAgent } from './mcpAgent';

/** The provider's one definition, as VS Code would get it. */
async function definition(): Promise<vscode.McpStdioServerDefinition> {
  const { mcp } = await joinedMesh();
  const definitions = await mcp.provider.provideMcpServerDefinitions();
  assert.equal(definitions?.length, 1);
  return definitions[0];
}

describe('PeerMesh MCP server for agent mode', () => {
  it('declares the provider in the manifest and registers it with VS Code', async () => {
    const extension = await activatedExtension();
    assert.deepEqual(manifest(extension).contributes.mcpServerDefinitionProviders, [{ id: 'peermesh', label: 'PeerMesh' }]);
    assert.equal(typeof vscode.lm.registerMcpServerDefinitionProvider, 'function', `vscode.lm has the MCP API in ${vscode.version}`);
    assert.equal(extension.exports.mcp.registered, true);
  });

  it('provides one stdio server: the shipped CLI run by the editor\'s runtime, with this window\'s mesh home', async () => {
    const extension = await activatedExtension();
    const server = await definition();
    assert.ok(server instanceof vscode.McpStdioServerDefinition);
    assert.equal(server.label, 'PeerMesh');
    assert.equal(server.command, process.execPath);
    assert.deepEqual(server.args, [path.join(extension.extensionPath, 'dist', 'cli.js'), 'mcp']);
    assert.ok(existsSync(server.args[0]), `${server.args[0]} ships with the extension`);
    assert.deepEqual(server.env, { ELECTRON_RUN_AS_NODE: '1', PEERMESH_HOME: meshHomeDir() });
    assert.equal(server.version, extension.packageJSON.version);
    assert.equal(server.cwd && realpathSync(server.cwd.fsPath), workspaceFolder());
  });

  it('that definition, started as agent mode starts it, answers tools/list with the mesh_* tools, in this window\'s mesh', async function () {
    this.timeout(60_000);
    const api = await joinedMesh();
    const server = await definition();
    // Only the definition's own environment on top of the SDK's minimal one (PATH, HOME…):
    // the extension host's PEERMESH_HOME must not be what makes the bridge find this mesh.
    const env: Record<string, string> = { ...getDefaultEnvironment() };
    for (const [key, value] of Object.entries(server.env)) if (value !== null) env[key] = String(value);
    const transport = new StdioClientTransport({ command: server.command, args: server.args, env, cwd: server.cwd?.fsPath, stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (chunk) => { stderr += String(chunk); });
    const client = new Client({ name: 'Visual Studio Code', version: vscode.version });
    try {
      await client.connect(transport);
      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      for (const name of ['mesh_whoami', 'mesh_peers', 'mesh_summary', 'mesh_send', 'mesh_inbox', 'mesh_state', 'mesh_lock', 'mesh_events', 'mesh_status']) {
        assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
      }
      assert.deepEqual(names.filter((n) => !n.startsWith('mesh_')), []);

      const status = (await client.callTool({ name: 'mesh_status', arguments: {} })) as CallToolResult;
      assert.notEqual(status.isError, true, JSON.stringify(status.content));
      assert.equal((status.structuredContent as { pid: number }).pid, process.pid, 'the bridge reached the broker this extension host runs');

      const whoami = (await client.callTool({ name: 'mesh_whoami', arguments: {} })) as CallToolResult;
      const me = whoami.structuredContent as { id: string; kind: string };
      assert.equal(me.kind, 'copilot', 'VS Code\'s client name makes the bridge a copilot peer');
      await waitFor('the agent-mode peer in the Peers tree', () => api.model.peers.items.find((p) => p.id === me.id));
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- bridge stderr ---\n${stderr.slice(-2000)}`, { cause: error });
    } finally {
      await client.close();
    }
  });

  it('a second agent in its own process (peermesh mcp) and the window message each other', async function () {
    this.timeout(120_000); // starting a process is slow on a busy machine
    const api = await joinedMesh();
    const window = api.mesh.client!;
    const agent = await startMcpAgent('chat-agent');
    try {
      assert.notEqual(agent.pid, process.pid, 'the agent is a process of its own');
      const received: Message[] = [];
      const stopListening = window.onMessage((message) => received.push(message));
      try {
        assert.equal((await agent.send(window.peer.id, 'hello from another process')).sent, 1);
        const message = await waitFor('the agent\'s message pushed to the window', () => received.find((m) => m.body === 'hello from another process'), 30_000);
        assert.deepEqual([message.from, message.fromName], [agent.peerId, 'chat-agent']);
      } finally {
        stopListening();
      }
      await window.request('messages/send', { to: { peer: 'chat-agent' }, kind: 'text', body: 'hello back' });
      assert.deepEqual((await agent.inbox()).map((m) => [m.from, m.body]), [[window.peer.name, 'hello back']]);
      assert.deepEqual(await agent.inbox(), [], 'read once');
    } finally {
      await agent.close();
    }
  });

  it('says the definition changed when the mesh home setting changes, and the window moves to that mesh', async function () {
    this.timeout(90_000);
    const api = await joinedMesh();
    const originalHome = meshHomeDir();
    const otherHome = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'peermesh-other-home-')));
    const settings = vscode.workspace.getConfiguration('peermesh');
    let changes = 0;
    const listener = api.mcp.provider.onDidChangeMcpServerDefinitions(() => changes++);
    try {
      await settings.update('home', otherHome, vscode.ConfigurationTarget.Global);
      await waitFor('a definitions change event', () => (changes > 0 ? true : undefined));
      await waitFor('the window to rejoin in the other home', () =>
        (api.mesh.state.kind === 'connected' && api.mesh.homeDir === otherHome ? true : undefined), 30_000);
      assert.equal((await definition()).env.PEERMESH_HOME, otherHome);
      assert.equal(api.mesh.hostsBroker, true, 'the window hosts the other home\'s broker too');
      assert.equal(api.mesh.client?.broker.pid, process.pid);
    } finally {
      await settings.update('home', undefined, vscode.ConfigurationTarget.Global);
      listener.dispose();
      await waitFor('the window to return to the launcher\'s home', () =>
        (api.mesh.state.kind === 'connected' && api.mesh.homeDir === originalHome ? true : undefined), 30_000);
      // The other home's language server, until stopped, joins again the broker that went with
      // the window, and may write the home's secret anew (a CI run once saw ENOTEMPTY here).
      await waitFor('the language server to move back too', () => (api.lsp.homeDir === originalHome ? true : undefined));
      await api.lsp.ready;
      rmSync(otherHome, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    }
    assert.equal((await definition()).env.PEERMESH_HOME, originalHome);
    await waitFor('the window back in its Peers tree', () => api.model.peers.items.find((p) => p.id === api.mesh.client?.peer.id));
  });
});
