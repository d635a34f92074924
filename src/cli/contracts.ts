import { ContractSet, SHIPPED_CONTRACTS_DIR } from '../contracts/index.js';
import { buildContractList, validateContracts } from '../explain/contracts.js';
import { renderContractList, renderValidate } from '../render/contracts.js';
import { renderJson } from '../render/json.js';
import { show, type OutputOptions } from './output.js';
import { extraContractDirs } from './dirs.js';

export async function runContractsList(opts: OutputOptions & { contracts?: string[] }): Promise<number> {
  const set = await ContractSet.load(extraContractDirs(opts.contracts));
  const report = buildContractList(set.families);
  show(
    opts,
    () => renderJson('contracts list', { contracts: opts.contracts ?? [] }, report),
    (style) => renderContractList(report, style),
  );
  return 0;
}

/** Validates files (or every contract in folders); with none given, the shipped contracts. Exit 1 on any error. */
export async function runContractsValidate(files: string[], opts: OutputOptions): Promise<number> {
  const report = await validateContracts(files.length ? files : [SHIPPED_CONTRACTS_DIR()]);
  show(
    opts,
    () => renderJson('contracts validate', { files }, report),
    (style) => renderValidate(report, style),
  );
  return report.allValid ? 0 : 1;
}
