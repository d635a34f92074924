import { basename } from 'node:path';
import { MicrogptError } from '../errors.js';
import { readRegularFile } from './file.js';
import { LIMITS, type Problem } from './types.js';

export interface ShardedIndex {
  path: string;
  totalSize: number | null;
  /** tensor name → shard file name (a Map: names come from the file). */
  weightMap: Map<string, string>;
  /** Shard file names in the order they first appear. */
  shards: string[];
  problems: Problem[];
}

/** `model.safetensors.index.json`: `{ metadata: { total_size }, weight_map: { tensor: shard } }`. */
export function readShardedIndex(path: string): ShardedIndex {
  const what = 'expected a model.safetensors.index.json file';
  const text = readRegularFile(path, { limit: LIMITS.indexJsonBytes, code: 'MG065', what, isDirectory: what }).toString(
    'utf8',
  );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new MicrogptError('MG065', `${path}: not valid JSON (${(e as Error).message})`);
  }
  const fail = (msg: string): never => {
    throw new MicrogptError('MG065', `${path}: ${msg}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('is not a JSON object');
  const { weight_map: wm, metadata } = json as Record<string, unknown>;
  if (typeof wm !== 'object' || wm === null || Array.isArray(wm)) return fail('has no weight_map object');
  const problems: Problem[] = [];
  const weightMap = new Map<string, string>();
  const shards: string[] = [];
  for (const [name, shard] of Object.entries(wm)) {
    if (typeof shard !== 'string' || shard.length === 0) fail(`weight_map[${JSON.stringify(name)}] is not a file name`);
    // A shard must sit beside the index: no path separators, no parent references.
    if (basename(shard as string) !== shard || shard === '..' || shard === '.')
      fail(`weight_map[${JSON.stringify(name)}] = ${JSON.stringify(shard)} is not a plain file name beside the index`);
    weightMap.set(name, shard as string);
    if (!shards.includes(shard as string)) shards.push(shard as string);
  }
  let totalSize: number | null = null;
  if (typeof metadata === 'object' && metadata !== null && 'total_size' in metadata) {
    const t = (metadata as Record<string, unknown>).total_size;
    if (typeof t === 'number' && Number.isSafeInteger(t) && t >= 0) totalSize = t;
    else problems.push({ where: 'index metadata.total_size', message: `is ${JSON.stringify(t)}, not a byte count` });
  }
  return { path, totalSize, weightMap, shards, problems };
}
