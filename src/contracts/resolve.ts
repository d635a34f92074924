import { readRegularFile, READ_LIMITS } from '../formats/file.js';
import { MicrogptError } from '../errors.js';
import { readHfConfig, looksLikeHfConfig, type HfConfigReading } from './hfconfig.js';
import { jsonSyntaxError } from './json.js';
import { parseContract } from './loader.js';
import type { ContractSet } from './registry.js';
import type { Contract } from './schema.js';

export interface Resolved {
  contract: Contract;
  /** How the argument was understood. */
  via: 'family' | 'alias' | 'architecture' | 'model_type' | 'contract file' | 'config.json';
  input: string;
  config: HfConfigReading | null;
}

const isPathLike = (arg: string) => arg.endsWith('.json') || arg.includes('/') || arg.includes('\\');

/** A contract taken as it is, as if named by its family. */
export const asResolved = (contract: Contract): Resolved => ({
  contract,
  via: 'family',
  input: contract.family,
  config: null,
});

/**
 * What `--kernel X` names: a family, an alias, a Hugging Face architecture
 * class or model_type, a contract file, or a Hugging Face config.json.
 */
export async function resolveKernelTarget(arg: string, contracts: ContractSet): Promise<Resolved> {
  if (isPathLike(arg)) return resolveFile(arg, contracts);
  const found = contracts.find(arg);
  if (found) {
    const c = found.contract;
    const key = arg.toLowerCase();
    const via =
      c.family === key
        ? 'family'
        : c.aliases.some((a) => a.toLowerCase() === key)
          ? 'alias'
          : c.architectures.some((a) => a.toLowerCase() === key)
            ? 'architecture'
            : 'model_type';
    return { contract: c, via, input: arg, config: null };
  }
  return { contract: contracts.get(arg), via: 'family', input: arg, config: null };
}

async function resolveFile(file: string, contracts: ContractSet): Promise<Resolved> {
  const what = '--kernel takes a family name, a contract .json or a config.json';
  const text = readRegularFile(file, { limit: READ_LIMITS.contract, code: 'MG013', what, isDirectory: what }).toString(
    'utf8',
  );
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw jsonSyntaxError(file, text, e as Error);
  }
  if (!looksLikeHfConfig(data))
    return { contract: await parseContract(file, text), via: 'contract file', input: file, config: null };
  const archs = Array.isArray(data.architectures)
    ? data.architectures.filter((a): a is string => typeof a === 'string')
    : [];
  const modelType = typeof data.model_type === 'string' ? data.model_type : undefined;
  const found = [...archs, ...(modelType ? [modelType] : [])]
    .map((n) => contracts.find(n))
    .find((x) => x !== undefined);
  if (!found) {
    throw new MicrogptError(
      'MG019',
      `${file}: no family contract matches model_type ${JSON.stringify(modelType ?? null)} or architectures ${JSON.stringify(archs)}; known families: ${contracts.families.map((f) => f.contract.family).join(', ')} (add one with --contracts DIR)`,
    );
  }
  return {
    contract: found.contract,
    via: 'config.json',
    input: file,
    config: readHfConfig(file, data, found.contract),
  };
}
