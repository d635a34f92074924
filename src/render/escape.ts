/**
 * Escapes what a file or an argument could use to drive the terminal or
 * disguise text: C0/C1 control characters (ESC, BEL …) and the Unicode bidi
 * controls that reorder what is shown (U+061C, U+200E/F, U+202A–U+202E,
 * U+2066–U+2069). The one escaping function for every string from outside.
 */
export function safe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
