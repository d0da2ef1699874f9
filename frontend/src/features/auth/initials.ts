const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** A word's first letter as the reader sees it: a whole grapheme (a flag, an emoji
 *  family, a consonant with its vowel sign), upper-cased unless that changes its
 *  length (`ß` stays `ß`, not `SS`). */
function firstLetter(word: string): string {
  const first = graphemes.segment(word)[Symbol.iterator]().next().value?.segment ?? '';
  const upper = first.toUpperCase();
  return Array.from(upper).length === Array.from(first).length ? upper : first;
}

/** The first letters of a name's first and last words, for an avatar. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const words = parts.length > 1 ? [parts[0]!, parts[parts.length - 1]!] : parts;
  return words.map(firstLetter).join('') || '?';
}
