/**
 * Ownership of disposables (STYLE.md §3). Deliberately free of `vscode` imports so it is
 * unit-tested in plain Node; `vscode.Disposable` is structurally a {@link DisposableLike}.
 */

/** Anything with a `dispose()`: VS Code disposables, event subscriptions, our own classes. */
export interface DisposableLike {
  dispose(): unknown;
}

/**
 * Base for objects that own other disposables. `register()` adopts one; `dispose()` disposes
 * them in reverse order of registration (dependents before what they depend on), once.
 * A second `dispose()` does nothing; registering after disposal disposes the newcomer at once.
 * If some children throw, the others are still disposed and the first error is rethrown.
 */
export class Disposable implements DisposableLike {
  /**
   * The owned disposables. Also passed as the third argument of VS Code events,
   * `event(listener, this, this.subscriptions)`, which pushes the subscription here.
   */
  protected readonly subscriptions: DisposableLike[] = [];
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  protected register<T extends DisposableLike>(disposable: T): T {
    if (this.disposed) {
      disposable.dispose();
    } else {
      this.subscriptions.push(disposable);
    }
    return disposable;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeAll(this.subscriptions.splice(0));
  }
}

/** Disposes every item, last first; rethrows the first error after trying them all. */
export function disposeAll(items: DisposableLike[]): void {
  let firstError: unknown;
  for (let i = items.length - 1; i >= 0; i--) {
    try {
      items[i].dispose();
    } catch (error) {
      firstError ??= error;
    }
  }
  if (firstError !== undefined) throw firstError;
}
