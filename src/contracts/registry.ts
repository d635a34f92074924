import { join } from 'node:path';
import { MicrogptError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { didYouMean } from '../suggest.js';
import { loadContractDir, type LoadedContract } from './loader.js';
import type { Contract } from './schema.js';

export const SHIPPED_CONTRACTS_DIR = (): string => join(packageRoot(), 'contracts');

/** All known families: the shipped ones, then those of extra folders (which may override by family name). */
export class ContractSet {
  private readonly byFamily = new Map<string, LoadedContract>();

  constructor(loaded: LoadedContract[]) {
    for (const l of loaded) this.byFamily.set(l.contract.family, l);
  }

  static async load(extraDirs: readonly string[] = []): Promise<ContractSet> {
    const loaded = await Promise.all([SHIPPED_CONTRACTS_DIR(), ...extraDirs].map(loadContractDir));
    return new ContractSet(loaded.flat());
  }

  get families(): LoadedContract[] {
    return [...this.byFamily.values()];
  }

  /** By family name, alias or Hugging Face architecture class, case-insensitively. */
  find(name: string): LoadedContract | undefined {
    const key = name.toLowerCase();
    for (const l of this.byFamily.values()) {
      const c = l.contract;
      if (
        c.family === key ||
        c.aliases.some((a) => a.toLowerCase() === key) ||
        c.architectures.some((a) => a.toLowerCase() === key)
      )
        return l;
    }
    // A Hugging Face model_type names a family too, when no family or alias already took the word.
    for (const l of this.byFamily.values()) if (l.contract.model_type.toLowerCase() === key) return l;
    return undefined;
  }

  get(name: string): Contract {
    const found = this.find(name);
    if (found) return found.contract;
    const names = this.families.flatMap((l) => [l.contract.family, ...l.contract.aliases]);
    throw new MicrogptError(
      'MG014',
      `unknown family "${name}"${didYouMean(name, names)}; known: ${this.families.map((l) => l.contract.family).join(', ')}`,
    );
  }
}
