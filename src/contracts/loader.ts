import { readdirSync } from 'node:fs';
import { readRegularFile, READ_LIMITS } from '../formats/file.js';
import { basename, join } from 'node:path';
import { MicrogptError } from '../errors.js';
import { checkContract } from './check.generated.js';
import { evaluate } from './expr.js';
import { shapeVariables } from './templates.js';
import { jsonSyntaxError } from './json.js';
import type { Contract } from './schema.js';

/** A contract and the file it came from. */
export interface LoadedContract {
  file: string;
  contract: Contract;
}

/** The first concrete name of a template: layer 0, expert 0. */
export const concreteName = (template: string): string => template.replaceAll('{n}', '0').replaceAll('{e}', '0');

/** Parses and validates one contract's text; every error names the file and the JSON path. */
export async function parseContract(file: string, text: string): Promise<Contract> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw jsonSyntaxError(file, text, e as Error);
  }
  if (!checkContract(data)) {
    const { firstSchemaError } = await import('./schema-errors.js');
    throw new MicrogptError('MG011', `${file}: ${firstSchemaError(data) ?? '/: does not match the contract schema'}`);
  }
  const contract = data as Contract;
  checkConsistency(file, contract);
  return contract;
}

/** Rules the schema's types cannot say: sizes that agree with each other and with the attention type. */
function checkConsistency(file: string, c: Contract): void {
  const fail = (path: string, msg: string): never => {
    throw new MicrogptError('MG012', `${file}: ${path}: ${msg}`);
  };
  for (const [name, s] of Object.entries(c.sizes)) {
    const at = `/sizes/${name}`;
    const recurrent = c.constraints.attention_type === 'ssm' || c.constraints.attention_type === 'linear';
    if (!recurrent && s.head_dim === undefined && s.heads * Math.round(s.hidden / s.heads) !== s.hidden) {
      fail(
        `${at}/heads`,
        `heads (${s.heads}) × head_dim must equal hidden (${s.hidden}); ${s.hidden} is not divisible by ${s.heads}, so give head_dim`,
      );
    }
    if (s.heads % s.kv_heads !== 0)
      fail(`${at}/kv_heads`, `heads (${s.heads}) must be divisible by kv_heads (${s.kv_heads})`);
    const a = c.constraints.attention_type;
    if (a === 'mha' && s.kv_heads !== s.heads)
      fail(`${at}/kv_heads`, `mha needs kv_heads = heads (${s.heads}), got ${s.kv_heads}`);
    if (a === 'gqa' && !(s.kv_heads < s.heads))
      fail(`${at}/kv_heads`, `gqa needs kv_heads < heads (${s.heads}), got ${s.kv_heads}`);
    if (a === 'mqa' && s.kv_heads !== 1) fail(`${at}/kv_heads`, `mqa needs kv_heads = 1, got ${s.kv_heads}`);
    const pos = c.constraints.positional_encoding;
    if ((pos === 'rope' || pos === 'partial_rope') && s.rope_theta === undefined) fail(at, `${pos} needs rope_theta`);
    if (pos === 'partial_rope' && s.partial_rotary_factor === undefined)
      fail(at, 'partial_rope needs partial_rotary_factor (the fraction of each head that is rotated)');
    if (s.parameters > 1e13 || s.hidden > 1e6 || s.layers > 1e4 || s.vocab > 1e8 || s.context > 1e9)
      fail(at, 'sizes are implausibly large (over 10T parameters, hidden 1M, 10k layers, vocab 100M or context 1G)');
    const vars = shapeVariables(s);
    c.tensors.forEach((t, i) => {
      for (const [k, e] of [...t.shape.map((x, j) => [`shape/${j}`, x]), ...(t.count ? [['count', t.count]] : [])]) {
        let v: number;
        try {
          v = evaluate(e, vars);
        } catch (err) {
          return fail(`/tensors/${i}/${k}`, `${(err as Error).message} (size ${name})`);
        }
        if (!Number.isInteger(v) || v < 0)
          fail(`/tensors/${i}/${k}`, `"${e}" gives ${v} for size ${name}; shapes must be whole numbers ≥ 0`);
      }
    });
  }
}

export async function loadContractFile(file: string): Promise<Contract> {
  const text = readRegularFile(file, {
    limit: READ_LIMITS.contract,
    code: 'MG013',
    what: 'expected a contract .json file',
    isDirectory: 'expected a contract .json file',
  }).toString('utf8');
  return parseContract(file, text);
}

/** Every *.json contract in a folder (schema.json excluded), sorted by file name. */
export async function loadContractDir(dir: string): Promise<LoadedContract[]> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new MicrogptError(
      'MG013',
      `${dir}: cannot read contract folder: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const files = names
    .filter((n) => n.endsWith('.json') && basename(n) !== 'schema.json')
    .sort()
    .map((n) => join(dir, n));
  const loaded = await Promise.all(files.map(async (file) => ({ file, contract: await loadContractFile(file) })));
  // Within one folder neither may silently win (a later folder overriding a shipped family is the documented way).
  const byFamily = new Map<string, string>();
  for (const l of loaded) {
    const first = byFamily.get(l.contract.family);
    if (first !== undefined)
      throw new MicrogptError(
        'MG047',
        `${dir}: ${basename(first)} and ${basename(l.file)} both define family "${l.contract.family}"; keep one`,
      );
    byFamily.set(l.contract.family, l.file);
  }
  return loaded;
}
