import { statSync } from 'node:fs';
import { MicrogptError } from '../errors.js';
import { ContractSet, loadContractDir, loadContractFile, SHIPPED_CONTRACTS_DIR } from '../contracts/index.js';
import { buildContractList, type ValidateReport } from '../explain/contracts.js';
import { renderContractList, renderValidate } from '../render/contracts.js';
import { renderJson } from '../render/json.js';
import { print, stdoutStyle, type OutputOptions } from './output.js';
import { extraContractDirs } from './dirs.js';

export async function runContractsList(opts: OutputOptions & { contracts?: string[] }): Promise<number> {
  const set = await ContractSet.load(extraContractDirs(opts.contracts));
  const report = buildContractList(set.families);
  print(opts.json ? renderJson('contracts list', { contracts: opts.contracts ?? [] }, report) : renderContractList(report, stdoutStyle(opts)));
  return 0;
}

/** Validates files (or every contract in folders); with none given, the shipped contracts. Exit 1 on any error. */
export async function runContractsValidate(files: string[], opts: OutputOptions): Promise<number> {
  const targets = files.length ? files : [SHIPPED_CONTRACTS_DIR()];
  const results: ValidateReport['results'] = [];
  for (const target of targets) {
    const isDir = statSync(target, { throwIfNoEntry: false })?.isDirectory();
    try {
      if (isDir) for (const l of await loadContractDir(target)) results.push({ file: l.file, ok: true, family: l.contract.family, error: null });
      else results.push({ file: target, ok: true, family: (await loadContractFile(target)).family, error: null });
    } catch (e) {
      if (!(e instanceof MicrogptError)) throw e;
      results.push({ file: target, ok: false, family: null, error: `${e.code}: ${e.message}` });
    }
  }
  const report: ValidateReport = { kind: 'contracts-validate', results, allValid: results.every((r) => r.ok) };
  print(opts.json ? renderJson('contracts validate', { files }, report) : renderValidate(report, stdoutStyle(opts)));
  return report.allValid ? 0 : 1;
}
