/**
 * The one definition of the characters that text read from outside (token
 * pieces, tensor names, metadata, config strings, paths from arguments) may
 * never carry raw into an output: they drive a terminal or hide and reorder
 * what is shown.
 * - C0 controls U+0000–U+001F (ESC, BEL …), DEL U+007F, C1 controls
 *   U+0080–U+009F (U+009B is a one-character CSI);
 * - bidi controls U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069;
 * - line and paragraph separators U+2028/U+2029;
 * - zero-width characters U+200B–U+200D, U+2060, U+FEFF;
 * - Unicode tag characters U+E0000–U+E007F (invisible; a surrogate pair in a JS string).
 * Each medium has one function built on this class: `safe` (text), `escapeHtml`
 * (HTML), and `jsonEscape` / `scriptJson` in json.ts (JSON).
 */
const HIDDEN =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff\u{e0000}-\u{e007f}]/gu;

/** Calls `each` for every hidden character of `text` and puts its result in the character's place. */
export function replaceHidden(text: string, each: (char: string, codePoint: number) => string): string {
  return text.replace(HIDDEN, (c) => each(c, c.codePointAt(0)!));
}

/**
 * The one visible notation, JavaScript's: \x1b up to U+00FF, \u202e in the
 * Basic Multilingual Plane, \u{e0041} beyond it.
 */
export function visible(codePoint: number): string {
  const hex = codePoint.toString(16);
  if (codePoint <= 0xff) return `\\x${hex.padStart(2, '0')}`;
  if (codePoint <= 0xffff) return `\\u${hex.padStart(4, '0')}`;
  return `\\u{${hex}}`;
}

/** Text for a terminal: every hidden character shown in its visible notation. The one function for every string from outside. */
export function safe(text: string): string {
  return replaceHidden(text, (_, cp) => visible(cp));
}

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML (element content or a quoted attribute): hidden characters made visible as in `safe`, then markup escaped. */
export function escapeHtml(text: string): string {
  return safe(text).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}
