/** The first letters of a name's first and last words, for an avatar. Letters are
 *  taken whole (code points), so a letter outside the BMP is never cut in half. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = (word: string | undefined) => (word === undefined ? undefined : Array.from(word)[0]);
  const letters = parts.length > 1 ? [first(parts[0]), first(parts[parts.length - 1])] : [first(parts[0])];
  return letters.filter(Boolean).join('').toUpperCase() || '?';
}
