import { replaceHidden } from './escape.js';

/** Version of every JSON document the tool prints; bumped when a field changes meaning or goes away. */
export const SCHEMA_VERSION = 1;

const u = (unit: number) => `\\u${unit.toString(16).padStart(4, '0')}`;

/**
 * Serialized JSON with every hidden character (render/escape.ts) written as a
 * \u escape. JSON.stringify escapes C0 in strings but leaves DEL, C1, bidi
 * controls, U+2028/9, zero-width and tag characters raw. The serialized text
 * is post-processed, never the values, so it parses back to the exact strings:
 * hidden characters only occur inside strings there, where \uXXXX (a surrogate
 * pair for a tag character) means the same character. A raw C0 character in
 * the serialized text is layout (the newlines of indentation), kept.
 */
export function jsonEscape(serialized: string): string {
  return replaceHidden(serialized, (c, cp) =>
    cp < 0x20 ? c : cp > 0xffff ? u(c.charCodeAt(0)) + u(c.charCodeAt(1)) : u(cp),
  );
}

/**
 * A value as JSON to embed in an HTML <script> element: hidden characters
 * escaped as in jsonEscape, and "<", ">" and "&" as \u003c, \u003e, \u0026, so neither
 * "</script" nor "<!--" can end or change the element. Parses to the same value.
 */
export function scriptJson(value: unknown): string {
  return jsonEscape(JSON.stringify(value)).replace(/[<>&]/g, (c) => u(c.charCodeAt(0)));
}

/** One JSON document: schemaVersion, the command and its inputs, then the report with full-precision numbers. */
export function renderJson(command: string, inputs: Record<string, unknown>, report: object): string {
  return jsonEscape(JSON.stringify(jsonDocument(command, inputs, report), null, 2));
}

/** The document renderJson prints, as an object (render/json-pieces.ts prints big ones piece by piece). */
export const jsonDocument = (command: string, inputs: Record<string, unknown>, report: object): object => ({
  schemaVersion: SCHEMA_VERSION,
  command,
  inputs,
  ...report,
});
