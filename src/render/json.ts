/** Version of every JSON document the tool prints; bumped when a field changes meaning or goes away. */
export const SCHEMA_VERSION = 1;

/** One JSON document: schemaVersion, the command and its inputs, then the report with full-precision numbers. */
export function renderJson(command: string, inputs: Record<string, unknown>, report: object): string {
  return escapeJson(JSON.stringify(jsonDocument(command, inputs, report), null, 2));
}

/** The document renderJson prints, as an object. */
export const jsonDocument = (command: string, inputs: Record<string, unknown>, report: object): object => ({
  schemaVersion: SCHEMA_VERSION,
  command,
  inputs,
  ...report,
});

/**
 * JSON text made inert for a terminal. Works on any piece of a document cut
 * between two values (render/json-pieces.ts prints big documents that way).
 */
export function escapeJson(text: string): string {
  // JSON.stringify escapes control characters but not the bidi controls; \uXXXX is the same value, shown inert.
  return text.replace(
    /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
