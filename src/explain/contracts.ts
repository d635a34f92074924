import type { Contract } from '../contracts/index.js';
import { SLOTS, type Slot } from '../kernels/index.js';

export interface ContractListReport {
  kind: 'contracts-list';
  families: Array<{ family: string; displayName: string; vendor: string; file: string; constraints: Record<Slot, string>; sizes: string[] }>;
}

export function buildContractList(loaded: ReadonlyArray<{ file: string; contract: Contract }>): ContractListReport {
  return {
    kind: 'contracts-list',
    families: loaded.map(({ file, contract: c }) => ({
      family: c.family,
      displayName: c.display_name,
      vendor: c.vendor,
      file,
      constraints: Object.fromEntries(SLOTS.map((k) => [k, String(c.constraints[k])])) as Record<Slot, string>,
      sizes: Object.keys(c.sizes),
    })),
  };
}

export interface ValidateReport {
  kind: 'contracts-validate';
  results: Array<{ file: string; ok: boolean; family: string | null; error: string | null }>;
  allValid: boolean;
}
