import { limits } from '../../src/protocol/limits';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gutterBadges } from '../../src/vscode/decorations/gutterBadges';
import { colorIds, commandIds, contextKeys, internalCommandIds, viewContainerId, viewIds } from '../../src/vscode/ids';
import { configSection, scopes, settingSpecs } from '../../src/vscode/settings';

// The manifest (package.json `contributes`) and the code must agree (STYLE.md §13): every
// command and view declared is registered in src/vscode, every one registered is declared,
// every setting has a typed getter with the same default, and every file the manifest names ships.

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributes = pkg.contributes;

interface ManifestView { id: string; name: string; type?: string; }

const manifestCommands: string[] = contributes.commands.map((c: { command: string }) => c.command);
const manifestViews: ManifestView[] = Object.values(contributes.views as Record<string, ManifestView[]>).flat();
const sorted = (values: Iterable<string>) => [...values].sort();

/** Every `*.ts` file under src/vscode, with its text. */
function vscodeSources(): { file: string; text: string }[] {
  const dir = path.join(root, 'src', 'vscode');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: path.join('src/vscode', f), text: readFileSync(path.join(dir, f), 'utf8') }));
}

type Registration = { call: string; id: string; file: string };

/**
 * Registrations in the source: `registerCommand(commandIds.x, …)`, `createTreeView(viewIds.x, …)`,
 * `registerTreeDataProvider(…)`, `registerWebviewViewProvider(…)`, with the id given through
 * ids.ts or as a string literal. Calls whose first argument is a variable (the command wrapper
 * itself) are not registrations of a particular id.
 */
function registrations(): Registration[] {
  const ids: Record<string, Record<string, string>> = { commandIds, internalCommandIds, viewIds };
  const pattern = /\b(registerCommand|createTreeView|createTree|registerTreeDataProvider|registerWebviewViewProvider)\(\s*(?:(commandIds|internalCommandIds|viewIds)\.(\w+)|'([^']+)'|"([^"]+)")/g;
  const found: Registration[] = [];
  for (const { file, text } of vscodeSources()) {
    for (const m of text.matchAll(pattern)) {
      const id = m[2] ? ids[m[2]][m[3]] : (m[4] ?? m[5]);
      assert.ok(id, `${file}: ${m[0]} names an id that ids.ts does not define`);
      found.push({ call: m[1], id, file });
    }
  }
  return found;
}

describe('manifest ↔ code', () => {
  const registered = registrations();
  const registeredAs = (calls: string[]) => registered.filter((r) => calls.includes(r.call)).map((r) => r.id);

  it('declares exactly the commands of ids.ts', () => {
    assert.deepEqual(sorted(manifestCommands), sorted(Object.values(commandIds)));
  });

  it('registers every declared command once, and nothing undeclared but the internal ones', () => {
    assert.deepEqual(sorted(registeredAs(['registerCommand'])), sorted([...manifestCommands, ...Object.values(internalCommandIds)]));
  });

  it('keeps internal commands out of the manifest, named peermesh._…', () => {
    for (const id of Object.values(internalCommandIds)) {
      assert.match(id, /^peermesh\._/);
      assert.ok(!manifestCommands.includes(id), `${id} is declared`);
    }
  });

  it('gives every command a title and the PeerMesh category', () => {
    for (const c of contributes.commands) {
      assert.ok(c.title, `${c.command} has a title`);
      assert.equal(c.category, 'PeerMesh', `${c.command} category`);
    }
  });

  it('uses only declared commands in menus', () => {
    const used = Object.values(contributes.menus ?? {}).flat().map((item) => (item as { command: string }).command);
    assert.deepEqual(used.filter((id) => !manifestCommands.includes(id)), []);
  });

  it('uses only declared commands in keybindings', () => {
    const bound = (contributes.keybindings ?? []).map((k: { command: string }) => k.command);
    assert.deepEqual(bound.filter((id: string) => !manifestCommands.includes(id)), []);
  });

  it('takes Ctrl+S / Cmd+S for the save guard only in a file others hold claims in, with the guard on', () => {
    const saves = (contributes.keybindings as { command: string; key: string; mac?: string; when: string }[]).filter((k) => k.key === 'ctrl+s');
    assert.deepEqual(saves.map((k) => [k.command, k.mac]), [[commandIds.guardedSave, 'cmd+s']]);
    const when = saves[0].when.split('&&').map((clause) => clause.trim());
    assert.deepEqual(when, ['editorTextFocus', contextKeys.editorHasOthersClaims, `config.${configSection}.${settingSpecs.saveGuard.key}`]);
    const hidden = contributes.menus.commandPalette.find((m: { command: string }) => m.command === commandIds.guardedSave);
    assert.equal(hidden?.when, 'false', 'hidden from the palette');
  });

  it('declares the PeerMesh container in the activity bar, with its views', () => {
    const containers = contributes.viewsContainers.activitybar;
    assert.deepEqual(containers.map((c: { id: string }) => c.id), [viewContainerId]);
    assert.equal(containers[0].title, 'PeerMesh');
    assert.deepEqual(Object.keys(contributes.views), [viewContainerId]);
  });

  it('declares exactly the views of ids.ts', () => {
    assert.deepEqual(sorted(manifestViews.map((v) => v.id)), sorted(Object.values(viewIds)));
  });

  it('registers each tree view with a tree provider and each webview view with a webview provider, once', () => {
    const trees = manifestViews.filter((v) => v.type !== 'webview').map((v) => v.id);
    const webviews = manifestViews.filter((v) => v.type === 'webview').map((v) => v.id);
    assert.deepEqual(sorted(registeredAs(['createTreeView', 'createTree', 'registerTreeDataProvider'])), sorted(trees));
    assert.deepEqual(sorted(registeredAs(['registerWebviewViewProvider'])), sorted(webviews));
  });

  it('activates on startup only', () => {
    assert.deepEqual(pkg.activationEvents, ['onStartupFinished']);
  });
});

describe('manifest ↔ colors', () => {
  interface ManifestColor { id: string; description: string; defaults: Record<string, string | null> }
  const colors: ManifestColor[] = contributes.colors ?? [];

  it('declares exactly the colors of ids.ts', () => {
    assert.deepEqual(sorted(colors.map((c) => c.id)), sorted(Object.values(colorIds)));
  });

  it('gives every color a description and light, dark and both high-contrast defaults', () => {
    for (const color of colors) {
      assert.ok(color.description, `${color.id} description`);
      for (const theme of ['light', 'dark', 'highContrast', 'highContrastLight']) assert.ok(theme in color.defaults, `${color.id} ${theme}`);
    }
  });

  it('uses in code only declared colors of its own, each through ids.ts', () => {
    const declared = new Set(colors.map((c) => c.id));
    for (const { file, text } of vscodeSources()) {
      for (const m of text.matchAll(/ThemeColor\(\s*'(peermesh\.[^']+)'/g)) assert.ok(declared.has(m[1]), `${file}: ${m[1]} is not declared`);
    }
    const used = vscodeSources().flatMap(({ text }) => [...text.matchAll(/colorIds\.(\w+)/g)].map((m) => m[1]));
    assert.deepEqual(sorted(Object.keys(colorIds).filter((key) => !used.includes(key))), [], 'declared but never drawn with');
  });
});

describe('manifest ↔ settings', () => {
  const properties = contributes.configuration.properties as Record<string, { type: string; default: unknown; enum?: string[] }>;

  it('declares exactly the settings of settings.ts', () => {
    const declared = Object.keys(properties);
    const typed = Object.values(settingSpecs).map((s) => `${configSection}.${s.key}`);
    assert.deepEqual(sorted(declared), sorted(typed));
  });

  it('uses the same default in the manifest and in the typed getter', () => {
    for (const spec of Object.values(settingSpecs)) {
      const declared = properties[`${configSection}.${spec.key}`];
      assert.deepEqual(declared.default, spec.default, spec.key);
      assert.equal(declared.type, typeof spec.default, `${spec.key} type`);
      assert.equal(spec.parse(spec.default), spec.default, `${spec.key}: the default is a valid value`);
    }
  });

  it('bounds numbers as the code does: the manifest\'s limits are the parser\'s, and a lock TTL fits the broker', () => {
    for (const spec of Object.values(settingSpecs)) {
      const declared = properties[`${configSection}.${spec.key}`] as { minimum?: number; maximum?: number };
      const parse = spec.parse as (v: unknown) => unknown;
      if (declared.minimum !== undefined) {
        assert.equal(parse(declared.minimum), declared.minimum, `${spec.key}: minimum accepted`);
        assert.equal(parse(declared.minimum - 1), undefined, `${spec.key}: below minimum refused`);
      }
      if (declared.maximum !== undefined) {
        assert.equal(parse(declared.maximum), declared.maximum, `${spec.key}: maximum accepted`);
        assert.equal(parse(declared.maximum + 1), undefined, `${spec.key}: above maximum refused`);
      }
    }
    const ttl = properties[`${configSection}.lockTtlSeconds`] as { maximum?: number };
    assert.equal(ttl.maximum, limits.ttlSeconds, 'the broker refuses longer lock TTLs');
  });

  it('offers the scopes the code accepts', () => {
    assert.deepEqual(properties[`${configSection}.scope`].enum, [...scopes]);
  });
});

describe('manifest ↔ files', () => {
  const referenced = [
    pkg.icon,
    ...contributes.viewsContainers.activitybar.map((c: { icon: string }) => c.icon),
    ...manifestViews.map((v) => (v as { icon?: string }).icon).filter(Boolean),
  ] as string[];

  it('names icons that exist', () => {
    for (const file of new Set(referenced)) assert.ok(existsSync(path.join(root, file)), file);
  });

  it('ships a light and a dark gutter icon for every badge the code draws', () => {
    const kept = readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n').map((line) => line.trim());
    assert.ok(kept.includes('!media/gutter/*.svg'), 'the gutter icons ship');
    const drawsFrom = vscodeSources().some(({ text }) => text.includes("'media', 'gutter', `${badge}-${theme}.svg`"));
    assert.ok(drawsFrom, 'the decorations draw media/gutter/<badge>-<theme>.svg');
    for (const badge of gutterBadges) {
      for (const theme of ['light', 'dark']) assert.ok(existsSync(path.join(root, 'media', 'gutter', `${badge}-${theme}.svg`)), `${badge}-${theme}.svg`);
    }
  });

  it('ships them: .vscodeignore lets every referenced file and the bundles into the .vsix', () => {
    const kept = readFileSync(path.join(root, '.vscodeignore'), 'utf8')
      .split('\n').map((line) => line.trim()).filter((line) => line.startsWith('!')).map((line) => line.slice(1));
    const shipped = [...new Set(referenced), pkg.main.replace(/^\.\//, ''), pkg.bin.peermesh, 'dist/webview/dashboard.js'];
    assert.deepEqual(shipped.filter((file) => !kept.includes(file)), []);
  });
});
