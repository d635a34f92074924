/** Version of every JSON document the tool prints; bumped when a field changes meaning or goes away. */
export const SCHEMA_VERSION = 1;

/** One JSON document: schemaVersion, the command and its inputs, then the report with full-precision numbers. */
export function renderJson(command: string, inputs: Record<string, unknown>, report: object): string {
  return JSON.stringify({ schemaVersion: SCHEMA_VERSION, command, inputs, ...report }, null, 2);
}
