/**
 * The typed view of `peermesh.*` settings (STYLE.md §9): one getter, `config.get(name)`, typed
 * by the setting table in `settings.ts`, and one `onDidChangeConfiguration` handler that
 * re-fires as {@link Config.onDidChange} with the names of the settings that changed.
 */
import * as vscode from 'vscode';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../core/logger';
import { Disposable } from './dispose';
import { configSection, readSetting, settingSpecs, type PeerMeshSettings, type SettingName } from './settings';

export interface ConfigChange {
  /** The settings whose effective value may have changed. */
  readonly changed: readonly SettingName[];
}

export class Config extends Disposable {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<ConfigChange>());
  /** Fires once per configuration change that touches a PeerMesh setting. */
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly log: Logger) {
    super();
    vscode.workspace.onDidChangeConfiguration(this.onConfigurationChanged, this, this.subscriptions);
  }

  /** The current, validated value of one setting (its default when unset or invalid). */
  get<K extends SettingName>(name: K): PeerMeshSettings[K] {
    const section = vscode.workspace.getConfiguration(configSection);
    return readSetting(name, (key) => section.get(key));
  }

  /** The mesh home: the setting, else `PEERMESH_HOME`, else `~/.peermesh`; `~` expanded. */
  resolvedHome(): string {
    const configured = this.get('home') || process.env.PEERMESH_HOME || path.join('~', '.peermesh');
    return configured === '~' || configured.startsWith(`~${path.sep}`) || configured.startsWith('~/')
      ? path.join(os.homedir(), configured.slice(1))
      : path.resolve(configured);
  }

  private onConfigurationChanged(event: vscode.ConfigurationChangeEvent): void {
    const changed = (Object.keys(settingSpecs) as SettingName[]).filter((name) =>
      event.affectsConfiguration(`${configSection}.${settingSpecs[name].key}`),
    );
    if (changed.length === 0) return;
    this.log.info(`[config] changed: ${changed.map((name) => `${name}=${JSON.stringify(this.get(name))}`).join(', ')}`);
    this.changeEmitter.fire({ changed });
  }
}
