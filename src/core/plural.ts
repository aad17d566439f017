/** "1 claim", "3 claims", "2 state entries": a count and its word, for people and models alike. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "a, b, c and 4 more": the first `max` of `items`, and how many are left unsaid. */
export function someOf(items: readonly string[], max = 10): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** "1st", "2nd", "11th", "23rd": a place in a line. */
export function ordinal(n: number): string {
  return `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}
