/** The small pieces every tab uses: a filter (a labelled choice kept in a signal) and an empty state. */
import type { Signal } from '@preact/signals';
import type { ComponentChildren, JSX } from 'preact';
import { useEffect } from 'preact/hooks';

/** A labelled select bound to `value` (null: the first, unfiltered choice, named `all`). */
export function Choice({ label, value, all, options }: { label: string; value: Signal<string | null>; all: string; options: ReadonlyArray<readonly [string, string]> }): JSX.Element {
  // A filter kept from before whose choice is gone (the peer left, the phase was removed) would hide everything.
  useEffect(() => {
    if (value.value !== null && !options.some(([id]) => id === value.value)) value.value = null;
  });
  return (
    <label>
      {label}{' '}
      <select value={value.value ?? ''} onChange={(event) => { value.value = (event.currentTarget as HTMLSelectElement).value || null; }}>
        <option value="">{all}</option>
        {options.map(([id, name]) => <option key={id} value={id}>{name}</option>)}
      </select>
    </label>
  );
}

/** What a tab says while it has nothing to show, and what to do about it. */
export function Empty({ icon, title, children }: { icon: string; title: string; children: ComponentChildren }): JSX.Element {
  return (
    <div class="empty">
      <i class={`codicon codicon-${icon}`} aria-hidden="true" />
      <p>{title}</p>
      <p class="muted">{children}</p>
    </div>
  );
}
