/** "1 claim", "3 claims", "2 state entries": a count and its word, for people and models alike. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
