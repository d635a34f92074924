/** Version of every JSON document the tool prints; bumped when a field changes meaning or goes away. */
export const SCHEMA_VERSION = 1;

/** One JSON document: schemaVersion, the command and its inputs, then the report with full-precision numbers. */
export function renderJson(command: string, inputs: Record<string, unknown>, report: object): string {
  // JSON.stringify escapes control characters but not the bidi controls; \uXXXX is the same value, shown inert.
  return JSON.stringify({ schemaVersion: SCHEMA_VERSION, command, inputs, ...report }, null, 2).replace(
    /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
