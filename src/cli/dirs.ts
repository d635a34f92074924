import { delimiter } from 'node:path';

/** Extra contract folders: MICROGPT_CONTRACTS (separated like PATH), then each --contracts DIR. */
export function extraContractDirs(flags: readonly string[] = []): string[] {
  const env = process.env.MICROGPT_CONTRACTS;
  return [...(env ? env.split(delimiter).filter(Boolean) : []), ...flags];
}

/** The family contracts: the shipped ones, then those of MICROGPT_CONTRACTS and each --contracts DIR. */
export async function loadContracts(flags: readonly string[] = []) {
  const { ContractSet } = await import('../contracts/index.js');
  return ContractSet.load(extraContractDirs(flags));
}

/** The contracts a model file is read against, and the family --family names (read as that family, not detected). */
export async function fileContracts(opts: { contracts?: string[]; family?: string }) {
  const set = await loadContracts(opts.contracts);
  return {
    all: set.families.map((f) => f.contract),
    forced: opts.family !== undefined ? set.get(opts.family) : undefined,
  };
}
