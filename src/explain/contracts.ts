import { statSync } from 'node:fs';
import { loadContractDir, loadContractFile, type Contract } from '../contracts/index.js';
import { MicrogptError } from '../errors.js';
import { SLOTS, slotValue, type Slot } from '../kernels/index.js';
import type { Static } from '@sinclair/typebox';
import type { ContractListReportSchema, ContractValidateReportSchema } from './schema.js';

export type ContractListReport = Static<typeof ContractListReportSchema>;

export function buildContractList(loaded: ReadonlyArray<{ file: string; contract: Contract }>): ContractListReport {
  return {
    kind: 'contracts-list',
    families: loaded.map(({ file, contract: c }) => ({
      family: c.family,
      displayName: c.display_name,
      vendor: c.vendor,
      file,
      constraints: Object.fromEntries(SLOTS.map((k) => [k, slotValue(c.constraints, k)])) as Record<Slot, string>,
      sizes: Object.keys(c.sizes),
    })),
  };
}

/** Validates files, or every contract in folders; a bad file is a result, not an exception. */
export async function validateContracts(targets: readonly string[]): Promise<ValidateReport> {
  const results: ValidateReport['results'] = [];
  for (const target of targets) {
    try {
      if (statSync(target, { throwIfNoEntry: false })?.isDirectory()) {
        for (const l of await loadContractDir(target))
          results.push({ file: l.file, ok: true, family: l.contract.family, error: null });
      } else {
        results.push({ file: target, ok: true, family: (await loadContractFile(target)).family, error: null });
      }
    } catch (e) {
      if (!(e instanceof MicrogptError)) throw e;
      results.push({ file: target, ok: false, family: null, error: `${e.code}: ${e.message}` });
    }
  }
  const invalid = results.filter((r) => !r.ok).length;
  return { kind: 'contracts-validate', results, invalid, allValid: invalid === 0 };
}

export type ValidateReport = Static<typeof ContractValidateReportSchema>;
