/** How many places a message names before it says how many more there are. */
export const MAX_NAMED = 10;

/**
 * A list of places for a message: all of them when few, else the first MAX_NAMED and how many others
 * ("2, 3, 4 … et 990 autres"), so that a message stays short whatever the number of duplicates. `total`
 * is how many there are when only the first ones were given.
 */
export function namedList(items: string[], separator = ', ', total = items.length): string {
  if (total <= MAX_NAMED) return items.join(separator);
  return `${items.slice(0, MAX_NAMED).join(separator)} … et ${total - MAX_NAMED} autres`;
}

/** The first MAX_NAMED + 1 items of a list but `self`, as text: enough for namedList. */
export function othersOf<T>(list: T[], self: T, text: (x: T) => string): string[] {
  const out: string[] = [];
  for (const x of list) {
    if (x === self) continue;
    out.push(text(x));
    if (out.length > MAX_NAMED) break;
  }
  return out;
}
