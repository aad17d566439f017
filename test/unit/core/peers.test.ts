import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { lastSeenWriteMs } from '../../../src/core/peers';
import { migrate, migrations } from '../../../src/store/schema';
import { SqlJsDb, type Batch } from '../../../src/store/sqljs';
import { gitRepo, harness, intro, join, sha256, tempDir, rejectsReason, type Harness } from './helpers';

/** A call of the peer's own (a tool call, a command), as the broker records it. */
const call = { active: true };
/** A request its program made on its own (a view refreshing, a catch-up). */
const background = { active: false };

describe('core/peers', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await harness({ newId: undefined });
  });

  afterEach(() => h.mesh.dispose());

  describe('register', () => {
    it('gives a fresh p- id, stores the session hash, computes git root and branch, emits peer_joined', async () => {
      const repo = gitRepo('feature/x');
      const sub = path.join(repo, 'packages', 'web');
      fs.mkdirSync(sub, { recursive: true });
      const peer = await h.mesh.peers.register(intro('claude', sub, { summary: 'parser' }), sha256('s'));
      assert.match(peer.id, /^p-[0-9a-f]{6,8}$/);
      assert.equal(peer.status, 'idle', 'joining is not a call of its own');
      assert.equal(peer.lastActive, null);
      assert.equal(peer.workspace, sub);
      assert.equal(peer.gitRoot, repo);
      assert.equal(peer.gitBranch, 'feature/x');
      assert.equal(peer.summary, 'parser');
      assert.equal(peer.connectedAt, h.clock.now());
      assert.equal(h.db.get<{ session_hash: string }>('SELECT session_hash FROM peers')?.session_hash, sha256('s'));
      const [joined] = (await h.mesh.events.read(0, undefined, 10)).events;
      assert.deepEqual([joined.type, joined.peer, joined.data], ['peer_joined', peer.id, { name: 'claude', kind: 'claude-code', resumed: false }]);
    });

    it('uses the cwd as workspace when there is none, and no repo outside one', async () => {
      const dir = tempDir();
      const peer = await h.mesh.peers.register(intro('cli', null, { cwd: dir }), sha256('s'));
      assert.equal(peer.workspace, dir);
      assert.equal(peer.gitRoot, null);
      assert.equal(peer.gitBranch, null);
    });

    it('adds -2, -3 to names live peers already use (case-insensitively); a gone peer frees its name', async () => {
      const first = await join(h.mesh, 'claude');
      assert.equal((await join(h.mesh, 'claude')).name, 'claude-2');
      assert.equal((await join(h.mesh, 'Claude')).name, 'Claude-3');
      await h.mesh.peers.leave(first.id);
      assert.equal((await join(h.mesh, 'claude')).name, 'claude');
    });

    it('keeps the MCP client\'s own name, refusing one that would not show as it is', async () => {
      const inspector = await join(h.mesh, 'inspector', null, { kind: 'unknown', client: 'mcp-inspector' });
      assert.equal(inspector.client, 'mcp-inspector');
      assert.equal((await h.mesh.peers.get(inspector.id))?.client, 'mcp-inspector');
      assert.equal((await join(h.mesh, 'window')).client, null);
      const e = await rejectsReason(join(h.mesh, 'x', null, { client: 'mcp\u202Einspector' }), 'invalidInput');
      assert.match(e.message, /^client must not contain control or invisible characters/);
      await rejectsReason(join(h.mesh, 'y', null, { client: 'c'.repeat(201) }), 'invalidInput');
    });

    it('rejects empty names and relative folders', async () => {
      await rejectsReason(join(h.mesh, '   '), 'invalidInput');
      await rejectsReason(join(h.mesh, 'x', 'relative/dir'), 'invalidInput');
    });

    it('refuses control characters in a name, at register and at rename: names are shown raw to every peer', async () => {
      for (const name of ['evil\x1b[2K\rroot', 'title\x1b]0;pwned\x07', 'two\nlines', 'c1\u009b31m', 'half\ud800']) {
        const e = await rejectsReason(join(h.mesh, name), 'invalidInput');
        assert.match(e.message, /^name must not contain control or invisible characters/);
        assert.doesNotMatch(e.message, /\p{Cc}/u, 'the refusal does not echo them raw either');
      }
      const p = await join(h.mesh, 'plain');
      await rejectsReason(h.mesh.peers.update(p.id, { name: 'plain\x1b[31m' }), 'invalidInput');
      assert.equal((await h.mesh.peers.get(p.id))?.name, 'plain');
    });

    it('refuses bidi controls and invisible characters in a name: "‮alice" would display reversed, "al\u200bice" as alice', async () => {
      for (const name of ['\u202Eecila', 'al\u200Bice', 'bob\u2066x\u2069', 'car\uFEFFol', 'dave\u200F', 'eve\u3164', 'one\u2028two']) {
        const e = await rejectsReason(join(h.mesh, name), 'invalidInput');
        assert.match(e.message, /^name must not contain control or invisible characters/, JSON.stringify(name));
        assert.doesNotMatch(e.message, /[\p{Cf}\u2028]/u, 'the refusal shows them escaped');
      }
      const p = await join(h.mesh, 'plain');
      await rejectsReason(h.mesh.peers.update(p.id, { name: 'pla\u202Ein' }), 'invalidInput');
      assert.equal((await h.mesh.peers.get(p.id))?.name, 'plain');
      assert.equal((await join(h.mesh, '👩‍💻 dev')).name, '👩‍💻 dev', 'an emoji sequence is a fine name');
    });
  });

  describe('resume, disconnect, leave', () => {
    it('resume checks the secret: wrong → unauthorized, unknown peer → notFound', async () => {
      const peer = await join(h.mesh, 'claude');
      await rejectsReason(h.mesh.peers.resume(peer.id, sha256('wrong')), 'unauthorized');
      await rejectsReason(h.mesh.peers.resume('p-000000', sha256('secret-claude')), 'notFound');
    });

    it('resume clears the disconnect, refreshes connectedAt, emits peer_joined {resumed: true} and peer_status {connected: true}', async () => {
      const peer = await join(h.mesh, 'claude');
      await h.mesh.peers.touch(peer.id, call);
      await h.mesh.peers.disconnected(peer.id);
      assert.ok(h.db.get('SELECT disconnected_at FROM peers WHERE disconnected_at IS NOT NULL'));
      assert.equal((await h.mesh.peers.get(peer.id))?.status, 'disconnected', 'disconnected until it resumes or its grace period ends');
      h.clock.advance(5000);
      const back = await h.mesh.peers.resume(peer.id, sha256('secret-claude'));
      assert.equal(back.connectedAt, h.clock.now());
      assert.equal(back.status, 'working', 'its last call was 5 s ago');
      assert.equal(h.db.get('SELECT disconnected_at FROM peers WHERE disconnected_at IS NOT NULL'), undefined);
      // A second session of a peer that is connected (the CLI in two terminals) is no status change.
      await h.mesh.peers.resume(peer.id, sha256('secret-claude'));
      const events = (await h.mesh.events.read(0, ['peer_joined', 'peer_status'], 10)).events.map((e) => [e.type, e.data]);
      assert.deepEqual(events, [
        ['peer_joined', { name: 'claude', kind: 'claude-code', resumed: false }],
        ['peer_status', { status: 'disconnected', connected: false }],
        ['peer_joined', { name: 'claude', kind: 'claude-code', resumed: true }],
        ['peer_status', { status: 'working', connected: true }],
        ['peer_joined', { name: 'claude', kind: 'claude-code', resumed: true }],
      ]);
    });

    it('a gone peer may resume; it gets a suffix if its name was taken meanwhile', async () => {
      const peer = await join(h.mesh, 'claude');
      await h.mesh.peers.leave(peer.id);
      await join(h.mesh, 'claude');
      const back = await h.mesh.peers.resume(peer.id, sha256('secret-claude'));
      assert.equal(back.status, 'idle');
      assert.equal(back.name, 'claude-2');
    });

    it('leave marks the peer gone at once and emits peer_left; a second leave is a no-op', async () => {
      const peer = await join(h.mesh, 'claude');
      await h.mesh.peers.leave(peer.id);
      await h.mesh.peers.leave(peer.id);
      assert.equal((await h.mesh.peers.get(peer.id))?.status, 'gone');
      assert.equal((await h.mesh.events.read(0, ['peer_left'], 10)).events.length, 1);
      assert.equal(await h.mesh.peers.find('claude'), undefined);
      await rejectsReason(h.mesh.peers.leave('p-nobody'), 'notFound');
    });

    it('markAllDisconnected restarts the grace clock of every live peer at takeover', async () => {
      const a = await join(h.mesh, 'a');
      const b = await join(h.mesh, 'b');
      const c = await join(h.mesh, 'c');
      await h.mesh.peers.leave(c.id);
      assert.equal(await h.mesh.peers.markAllDisconnected(), 2);
      assert.equal(await h.mesh.peers.markAllDisconnected(), 0);
      assert.equal((await h.mesh.peers.get(b.id))?.status, 'disconnected');
      h.clock.advance(10_000);
      await h.mesh.peers.resume(a.id, sha256('secret-a'));
      h.clock.advance(5_000);
      await h.mesh.sweep();
      assert.equal((await h.mesh.peers.get(a.id))?.status, 'idle');
      assert.equal((await h.mesh.peers.get(b.id))?.status, 'gone');
    });
  });

  describe('activity and status', () => {
    it('working for workingWindowMs after a call of its own; a background request keeps it idle but seen', async () => {
      const peer = await join(h.mesh, 'claude');
      h.clock.advance(1000);
      await h.mesh.peers.touch(peer.id, background);
      let now = await h.mesh.peers.get(peer.id);
      assert.deepEqual([now?.status, now?.lastSeen, now?.lastActive], ['idle', h.clock.now(), null]);
      await h.mesh.peers.touch(peer.id, call);
      const calledAt = h.clock.now();
      h.clock.advance(60_000 - 1);
      await h.mesh.peers.touch(peer.id, background);
      now = await h.mesh.peers.get(peer.id);
      assert.deepEqual([now?.status, now?.lastSeen, now?.lastActive], ['working', h.clock.now(), calledAt]);
      h.clock.advance(1);
      assert.equal((await h.mesh.peers.get(peer.id))?.status, 'idle', 'the window is 60 s by default');
      await h.mesh.peers.touch(peer.id, call);
      assert.equal((await h.mesh.peers.get(peer.id))?.status, 'working');
    });

    it('the working window is a setting', async () => {
      h.mesh.dispose();
      h = await harness({ newId: undefined, workingWindowMs: 5000 });
      const peer = await join(h.mesh, 'claude');
      await h.mesh.peers.touch(peer.id, call);
      h.clock.advance(4999);
      assert.equal((await h.mesh.peers.get(peer.id))?.status, 'working');
      h.clock.advance(1);
      assert.equal((await h.mesh.peers.get(peer.id))?.status, 'idle');
    });

    it('disconnected while it keeps its claims in the grace period, whatever it did last; gone after', async () => {
      const peer = await join(h.mesh, 'claude');
      await h.mesh.peers.touch(peer.id, call);
      await h.mesh.peers.disconnected(peer.id);
      assert.equal((await h.mesh.peers.get(peer.id))?.status, 'disconnected', 'not working, though its last call was just now');
      h.clock.advance(15_000 - 1);
      await h.mesh.sweep();
      assert.equal((await h.mesh.peers.get(peer.id))?.status, 'disconnected');
      h.clock.advance(1);
      await h.mesh.sweep();
      assert.equal((await h.mesh.peers.get(peer.id))?.status, 'gone');
    });

    it("the person's terminal (kind cli) is disconnected whenever no command is connected, however long, and keeps its claims", async () => {
      const dir = tempDir();
      const cli = await join(h.mesh, 'me-cli', dir, { kind: 'cli' });
      // `peermesh lock`: one command, one call, then it exits.
      await h.mesh.peers.touch(cli.id, call);
      await h.mesh.locks.acquire(cli.id, { path: 'a.ts' }, { reason: 'mine', ttlSeconds: 3600 });
      assert.equal((await h.mesh.peers.get(cli.id))?.status, 'working', 'working while the command runs');
      await h.mesh.peers.disconnected(cli.id);
      assert.equal((await h.mesh.peers.get(cli.id))?.status, 'disconnected', 'not working once the command has exited');
      h.clock.advance(30 * 60_000);
      await h.mesh.sweep();
      assert.equal((await h.mesh.peers.get(cli.id))?.status, 'disconnected', 'no grace period ends it');
      assert.equal((await h.mesh.locks.list({})).length, 1, 'its claim outlives the command');
      // The next command: connected again, idle until it makes its call.
      assert.equal((await h.mesh.peers.resume(cli.id, sha256('secret-me-cli'))).status, 'idle');
      await h.mesh.peers.touch(cli.id, call);
      assert.equal((await h.mesh.peers.get(cli.id))?.status, 'working');
    });

    it('a terminal identity unused for longer than the event retention and holding no locks is gone, and forgotten', async () => {
      // The shortest retention `peermesh serve --event-retention` allows: a lock may outlast it.
      const retention = 3600_000;
      h.mesh.dispose();
      h = await harness({ newId: undefined, retention: { eventsMs: retention } });
      const dir = tempDir();
      const job = await join(h.mesh, 'me-cli:job-17', dir, { kind: 'cli' });
      const holder = await join(h.mesh, 'me-cli:nightly', dir, { kind: 'cli' });
      await h.mesh.locks.acquire(holder.id, { path: 'a.ts' }, { reason: 'kept', ttlSeconds: 2 * 3600 });
      await h.mesh.peers.disconnected(job.id);
      await h.mesh.peers.disconnected(holder.id);
      h.clock.advance(retention);
      await h.mesh.sweep();
      assert.equal((await h.mesh.peers.get(job.id))?.status, 'disconnected', 'kept for the whole retention');
      h.clock.advance(1);
      await h.mesh.sweep();
      assert.equal(await h.mesh.peers.get(job.id), undefined, 'gone and pruned once past it');
      assert.equal((await h.mesh.peers.get(holder.id))?.status, 'disconnected', 'a holder of a lock stays while it holds it');
      h.clock.advance(retention); // its lock expires: it holds nothing any more
      await h.mesh.sweep();
      assert.equal(await h.mesh.peers.get(holder.id), undefined, 'then it goes too');
      const left = (await h.mesh.events.read(0, ['peer_left'], 500)).events.map((e) => e.peer);
      assert.deepEqual(left, [job.id, holder.id], 'each left the mesh once, as other peers do');
    });

    it(`touch writes last_seen and last_active to the database at most every ${lastSeenWriteMs / 1000}s, and when the connection drops`, async () => {
      const peer = await join(h.mesh, 'claude');
      const batches: Batch[] = [];
      h.db.onCommit = (b) => batches.push(b);
      for (let i = 0; i < 100; i++) {
        h.clock.advance(1000);
        await h.mesh.peers.touch(peer.id, i % 2 === 0 ? call : background);
      }
      assert.equal(batches.length, Math.floor(100_000 / lastSeenWriteMs));
      const read = await h.mesh.peers.get(peer.id);
      assert.deepEqual([read?.lastSeen, read?.lastActive], [h.clock.now(), h.clock.now() - 1000], 'in-memory times are merged into reads');
      await h.mesh.peers.disconnected(peer.id);
      assert.deepEqual(h.db.get('SELECT last_seen, last_active FROM peers'), { last_seen: h.clock.now(), last_active: h.clock.now() - 1000 });
      await h.mesh.peers.touch('p-unknown', call);
    });

    it('update: summary, status and name, each with its event; no event without a change', async () => {
      const peer = await join(h.mesh, 'claude');
      await join(h.mesh, 'taken');
      await h.mesh.peers.touch(peer.id, call);
      await h.mesh.peers.update(peer.id, { summary: 'fixing the lexer' });
      await h.mesh.peers.update(peer.id, { summary: 'fixing the lexer' });
      await h.mesh.peers.update(peer.id, { status: 'idle' });
      assert.equal((await h.mesh.peers.get(peer.id))?.status, 'idle');
      await h.mesh.peers.touch(peer.id, call);
      assert.equal((await h.mesh.peers.get(peer.id))?.status, 'idle', 'an idle the peer said stays until it says working');
      await h.mesh.peers.update(peer.id, { status: 'idle' });
      h.clock.advance(120_000);
      await h.mesh.peers.update(peer.id, { status: 'working' });
      const working = await h.mesh.peers.get(peer.id);
      assert.deepEqual([working?.status, working?.lastActive], ['working', h.clock.now()], 'saying working is a call of its own');
      const renamed = await h.mesh.peers.update(peer.id, { name: 'taken' });
      assert.equal(renamed.name, 'taken-2');
      const events = (await h.mesh.events.read(1, ['summary_changed', 'peer_status'], 10)).events.map((e) => e.data);
      assert.deepEqual(events, [
        { summary: 'fixing the lexer' },
        { status: 'idle' },
        { status: 'working' },
        { status: 'working', name: 'taken-2', previousName: 'claude' },
      ]);
      await rejectsReason(h.mesh.peers.update(peer.id, { summary: 'x'.repeat(1001) }), 'invalidInput');
      await rejectsReason(h.mesh.peers.update(peer.id, { status: 'gone' as 'idle' }), 'invalidInput');
    });

    it('an idle the peer said holds through a reconnect', async () => {
      const peer = await join(h.mesh, 'claude');
      await h.mesh.peers.update(peer.id, { status: 'idle' });
      await h.mesh.peers.disconnected(peer.id);
      const back = await h.mesh.peers.resume(peer.id, sha256('secret-claude'));
      await h.mesh.peers.touch(peer.id, call);
      assert.equal(back.status, 'idle');
      assert.equal((await h.mesh.peers.get(peer.id))?.status, 'idle');
    });

    it('find by id or name (case-insensitive), live peers only', async () => {
      const peer = await join(h.mesh, 'Claude');
      assert.equal((await h.mesh.peers.find(peer.id))?.id, peer.id);
      assert.equal((await h.mesh.peers.find('claude'))?.id, peer.id);
      assert.equal(await h.mesh.peers.find('nobody'), undefined);
      await rejectsReason(h.mesh.peers.require('p-nobody'), 'notFound');
    });
  });

  describe('scopes', () => {
    it('machine = all; workspace = same folder (through a symlink too); repo = same real git root', async () => {
      const repo = gitRepo();
      const sub = path.join(repo, 'docs');
      fs.mkdirSync(sub);
      const link = `${repo}-link`;
      fs.symlinkSync(repo, link);
      const other = gitRepo();
      const plain = tempDir();
      try {
        const me = await join(h.mesh, 'me', repo);
        const viaLink = await join(h.mesh, 'via-link', link);
        const inSub = await join(h.mesh, 'in-sub', sub);
        const elsewhere = await join(h.mesh, 'elsewhere', other);
        const noRepo = await join(h.mesh, 'no-repo', plain);
        const noDir = await join(h.mesh, 'no-dir');
        const names = async (scope: 'machine' | 'workspace' | 'repo', who = me.id) => (await h.mesh.peers.list(who, scope, false)).map((p) => p.name);
        assert.equal(viaLink.workspace, repo);
        assert.deepEqual(await names('machine'), ['elsewhere', 'in-sub', 'me', 'no-dir', 'no-repo', 'via-link']);
        assert.deepEqual(await names('workspace'), ['me', 'via-link']);
        assert.deepEqual(await names('repo'), ['in-sub', 'me', 'via-link']);
        assert.deepEqual(await names('repo', inSub.id), ['in-sub', 'me', 'via-link']);
        assert.deepEqual(await names('workspace', inSub.id), ['in-sub']);
        assert.deepEqual(await names('repo', elsewhere.id), ['elsewhere']);
        // Peers outside any repo, or with no folder at all, share no repo scope.
        await join(h.mesh, 'no-repo-2', plain);
        assert.deepEqual(await names('repo', noRepo.id), ['no-repo']);
        assert.deepEqual(await names('workspace', noRepo.id), ['no-repo', 'no-repo-2']);
        assert.deepEqual(await names('workspace', noDir.id), ['no-dir']);
      } finally {
        fs.unlinkSync(link);
      }
    });

    it('gone peers are listed only when asked for (by name)', async () => {
      const me = await join(h.mesh, 'me');
      const gone = await join(h.mesh, 'gone');
      await h.mesh.peers.leave(gone.id);
      assert.deepEqual((await h.mesh.peers.list(me.id, 'machine', false)).map((p) => p.name), ['me']);
      assert.deepEqual((await h.mesh.peers.list(me.id, 'machine', true)).map((p) => [p.name, p.status]), [['gone', 'gone'], ['me', 'idle']]);
    });
  });

  describe('stored statuses', () => {
    it('a store of the previous schema keeps its peers: active becomes live, away an idle it said', async () => {
      const db = await SqlJsDb.open();
      try {
        for (const [i, sql] of migrations.slice(0, 2).entries()) db.exec(`BEGIN; ${sql}; PRAGMA user_version = ${i + 1}; COMMIT;`);
        const insert = (id: string, status: string) => db.exec(
          `INSERT INTO peers (id, name, kind, status, connected_at, last_seen, session_hash) VALUES ('${id}', '${id}', 'cursor', '${status}', 1, 1, 'h')`);
        insert('p-a', 'active');
        insert('p-b', 'away');
        insert('p-c', 'gone');
        migrate(db);
        assert.deepEqual(db.all('SELECT id, status, last_active FROM peers ORDER BY id'), [
          { id: 'p-a', status: 'live', last_active: null },
          { id: 'p-b', status: 'idle', last_active: null },
          { id: 'p-c', status: 'gone', last_active: null },
        ]);
        h.mesh.dispose();
        h = await harness({ newId: undefined }, db);
        assert.deepEqual((await h.mesh.peers.list('p-a', 'machine', true)).map((p) => [p.id, p.status]),
          [['p-a', 'idle'], ['p-b', 'idle'], ['p-c', 'gone']]);
        await h.mesh.peers.touch('p-a', call);
        await h.mesh.peers.touch('p-b', call);
        assert.deepEqual((await h.mesh.peers.list('p-a', 'machine', false)).map((p) => [p.id, p.status]), [['p-a', 'working'], ['p-b', 'idle']]);
      } finally {
        h.mesh.dispose();
      }
    });
  });
});
