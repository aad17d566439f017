/**
 * The scripted language model of test/vscode/fixtures/fake-lm, a test-only extension the
 * launchers install beside PeerMesh: the tests queue its answers and read the prompts it got.
 */
import * as vscode from 'vscode';

export const fakeLmId = 'peermesh-tests.fake-lm';

/** One request the model received: its messages as plain text. */
export interface FakeLmRequest {
  readonly model: string;
  readonly messages: ReadonlyArray<{ readonly role: 'user' | 'assistant'; readonly text: string }>;
}

/** The fixture's exports (see its extension.js). */
export interface FakeLm {
  /** Answers for the next requests, in order. */
  queue(...answers: string[]): void;
  /** Every request received, oldest first. */
  readonly requests: readonly FakeLmRequest[];
  /** The next request waits until it is cancelled. */
  hold(): void;
  /** How many models it offers: 0, 1 or 2. */
  offer(models: 0 | 1 | 2): void;
  /** Empties the queue and the requests, offers one model. */
  reset(): void;
  /** Requests that ended by their cancellation token. */
  readonly cancelled: number;
}

/** The scripted model, activated and reset; fails the test if the launcher did not install it. */
export async function fakeLm(): Promise<FakeLm> {
  const extension = vscode.extensions.getExtension<FakeLm>(fakeLmId);
  if (!extension) throw new Error(`${fakeLmId} is not installed: the launcher installs test/vscode/fixtures/fake-lm beside PeerMesh`);
  const lm = await extension.activate();
  lm.reset();
  return lm;
}
