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

/** What decided a config.json's family: the architecture class or model_type it names. */
export interface ConfigFamily {
  contract: Contract;
  by: 'architectures' | 'model_type';
  /** The value that matched. */
  name: string;
}

/**
 * Which family a Hugging Face config.json describes — the one place this is
 * decided (explain --kernel, inspect and the float32 path all ask here): an
 * architecture class it lists, matched against each family's name, aliases
 * and classes; failing that its model_type, matched against each family's
 * model_type, then names and aliases. Case-insensitive; null when no family matches.
 */
export function familyOfConfig(c: Record<string, unknown>, contracts: readonly Contract[]): ConfigFamily | null {
  const names = (x: Contract) => [x.family, ...x.aliases, ...x.architectures].map((n) => n.toLowerCase());
  for (const arch of configArchitectures(c)) {
    const contract = contracts.find((x) => names(x).includes(arch.toLowerCase()));
    if (contract) return { contract, by: 'architectures', name: arch };
  }
  const type = typeof c.model_type === 'string' ? c.model_type : null;
  if (type === null) return null;
  const key = type.toLowerCase();
  const contract =
    contracts.find((x) => x.model_type.toLowerCase() === key) ?? contracts.find((x) => names(x).includes(key));
  return contract ? { contract, by: 'model_type', name: type } : null;
}

/** The architecture classes a config.json lists (strings only). */
export const configArchitectures = (c: Record<string, unknown>): string[] =>
  Array.isArray(c.architectures) ? c.architectures.filter((a): a is string => typeof a === 'string') : [];

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
  // Not JSON at all (a text file, a model file under another name): say what --kernel takes, not what JSON.parse met.
  if (!/^\s*\{/.test(text.slice(0, 1024)))
    throw new MicrogptError(
      'MG013',
      `${file}: is not a JSON object (nor a model file); --kernel takes a family name, a contract .json, a config.json, or a model file or folder`,
    );
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw jsonSyntaxError(file, text, e as Error);
  }
  if (!looksLikeHfConfig(data))
    return { contract: await parseContract(file, text), via: 'contract file', input: file, config: null };
  const found = familyOfConfig(
    data,
    contracts.families.map((f) => f.contract),
  );
  if (!found) {
    const modelType = typeof data.model_type === 'string' ? data.model_type : undefined;
    throw new MicrogptError(
      'MG019',
      `${file}: no family contract matches model_type ${JSON.stringify(modelType ?? null)} or architectures ${JSON.stringify(configArchitectures(data))}; known families: ${contracts.families.map((f) => f.contract.family).join(', ')} (add one with --contracts DIR)`,
    );
  }
  return {
    contract: found.contract,
    via: 'config.json',
    input: file,
    config: readHfConfig(file, data, found.contract),
  };
}
