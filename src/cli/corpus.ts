import { builtinNames, BUILTIN_CORPUS, readDocs } from '../model/index.js';

/** --data FILE, or the built-in names corpus. */
export function corpusFrom(data?: string): { docs: string[]; label: string } {
  return data === undefined ? { docs: builtinNames(), label: BUILTIN_CORPUS } : { docs: readDocs(data), label: data };
}
