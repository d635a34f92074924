import { basename } from 'node:path';
import { quote } from '../clip.js';
import { MicrogptError } from '../errors.js';
import { readRegularFile } from './file.js';
import { JsonBytes } from './json-bytes.js';
import { LIMITS, type Problem } from './types.js';

/** Longest file name the file systems this runs on allow (NAME_MAX). */
const NAME_MAX = 255;

export interface ShardedIndex {
  path: string;
  totalSize: number | null;
  /** tensor name → shard file name (a Map: names come from the file). */
  weightMap: Map<string, string>;
  /** Shard file names in the order they first appear. */
  shards: string[];
  problems: Problem[];
}

/**
 * `model.safetensors.index.json`: `{ metadata: { total_size }, weight_map: { tensor: shard } }`.
 * Read in one pass over its bytes, keeping only the map (other fields are
 * skipped with their nesting bounded), so its memory is its size and the map.
 */
export function readShardedIndex(path: string): ShardedIndex {
  const what = 'expected a model.safetensors.index.json file';
  const bytes = readRegularFile(path, { limit: LIMITS.indexJsonBytes, code: 'MG065', what, isDirectory: what });
  const fail = (msg: string): never => {
    throw new MicrogptError('MG065', `${path}: ${msg}`);
  };
  const j = new JsonBytes(bytes, (m) => fail(`not valid JSON (${m})`), LIMITS.jsonDepth);
  if (j.kind() !== 'object') return fail('is not a JSON object');
  const out: ShardedIndex = { path, totalSize: null, weightMap: new Map(), shards: [], problems: [] };
  let sawMap = false;
  if (j.open(0x7b, 0x7d, '"{"'))
    do {
      const key = j.key();
      if (key === 'weight_map' && j.kind() === 'object') {
        sawMap = true;
        readWeightMap(j, out, fail);
      } else if (key === 'metadata' && j.kind() === 'object') readIndexMetadata(j, out);
      else j.skip(1);
    } while (j.more(0x7d));
  j.done();
  if (!sawMap) fail('has no weight_map object');
  return out;
}

function readWeightMap(j: JsonBytes, out: ShardedIndex, fail: (msg: string) => never): void {
  const shards = new Set<string>();
  if (!j.open(0x7b, 0x7d, '"{"')) return;
  do {
    const name = j.key();
    const shard = j.kind() === 'string' ? j.string() : null;
    if (shard === null || shard.length === 0) fail(`weight_map[${quote(name)}] is not a file name`);
    // A shard must sit beside the index: no path separators, no parent references, no name longer than a file's.
    if (Buffer.byteLength(shard!) > NAME_MAX)
      fail(`weight_map[${quote(name)}] = ${quote(shard!)} is longer than a file name can be (${NAME_MAX} bytes)`);
    if (basename(shard!) !== shard || shard === '..' || shard === '.')
      fail(`weight_map[${quote(name)}] = ${quote(shard!)} is not a plain file name beside the index`);
    if (out.weightMap.has(name))
      out.problems.push({ where: `index weight_map[${quote(name)}]`, message: 'appears twice' });
    out.weightMap.set(name, shard!);
    if (!shards.has(shard!)) {
      shards.add(shard!);
      out.shards.push(shard!);
    }
  } while (j.more(0x7d));
}

function readIndexMetadata(j: JsonBytes, out: ShardedIndex): void {
  if (!j.open(0x7b, 0x7d, '"{"')) return;
  do {
    const key = j.key();
    if (key !== 'total_size') {
      j.skip(2);
      continue;
    }
    const t = j.kind() === 'number' ? j.number() : (j.skip(2), null);
    if (t !== null && Number.isSafeInteger(t) && t >= 0) out.totalSize = t;
    else
      out.problems.push({
        where: 'index metadata.total_size',
        message: `is ${t === null ? 'not a number' : JSON.stringify(t)}, not a byte count`,
      });
  } while (j.more(0x7d));
}
