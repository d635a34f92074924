/**
 * Strings read from files (tensor names, dtypes, metadata, architecture names)
 * can be a megabyte long. Wherever one is shown in text — a table cell, a
 * check, an error line — it is cut to its first characters and its length is
 * said, so the line stays readable and nothing downstream handles a megabyte;
 * JSON fields keep the whole string.
 */

/** Characters of a long string that are shown. */
export const CLIP_AT = 120;

/** `text`, or its first `max` characters and how long it is: `abcdef… (1,048,576 characters)`. */
export function clip(text: string, max = CLIP_AT): string {
  if (text.length <= max) return text;
  // Never cut a surrogate pair in half.
  const end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, end)}… (${String(text.length).replace(/\B(?=(\d{3})+(?!\d))/g, ',')} characters)`;
}

/** A string from a file in quotes, as JSON writes it, clipped when long: `"abcdef"… (1,048,576 characters)`. */
export function quote(text: string, max = CLIP_AT): string {
  if (text.length <= max) return JSON.stringify(text);
  const shown = clip(text, max);
  const cut = shown.lastIndexOf('… (');
  return `${JSON.stringify(shown.slice(0, cut))}${shown.slice(cut)}`;
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
