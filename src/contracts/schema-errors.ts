import { Value } from '@sinclair/typebox/value';
import { ContractSchema } from './schema.js';

/**
 * The first schema violation of a contract as "/json/path: message". Loaded
 * only when the compiled check has already failed, so a valid contract never
 * pays for TypeBox.
 */
export function firstSchemaError(data: unknown): string | null {
  const first = Value.Errors(ContractSchema, data).First();
  if (!first) return null;
  const expected = (first.schema as { description?: string }).description;
  if (expected?.startsWith('one of'))
    return `${first.path}: ${JSON.stringify(first.value)} is not allowed; ${expected}`;
  return `${first.path || '/'}: ${first.message}`;
}
