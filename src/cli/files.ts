import { ContractSet } from '../contracts/index.js';
import { buildFileReport } from '../explain/files/report.js';
import { openModelFiles } from '../formats/index.js';
import { renderJson } from '../render/json.js';
import { renderFileReport } from '../render/model-file.js';
import { extraContractDirs } from './dirs.js';
import { print, stdoutStyle, type OutputOptions } from './output.js';

interface FileOptions extends OutputOptions {
  family?: string;
  contracts?: string[];
  metadata?: boolean;
  verbose?: boolean;
  html?: string;
}

/** The contracts a file is read against: all of them, or only --family's. */
async function contractsFor(opts: FileOptions) {
  const set = await ContractSet.load(extraContractDirs(opts.contracts));
  return opts.family !== undefined ? [set.get(opts.family)] : set.families.map((f) => f.contract);
}

export async function runInspectFile(path: string, opts: FileOptions): Promise<number> {
  if (opts.html !== undefined) {
    const { MicrogptError } = await import('../errors.js');
    throw new MicrogptError('MG001', '--html is for checkpoints written by microgpt train; for a model file use --json');
  }
  const files = openModelFiles(path, { fullArrays: false });
  const report = buildFileReport(files, await contractsFor(opts), { metadata: opts.metadata });
  print(opts.json ? renderJson('inspect', { path, family: opts.family ?? null, metadata: opts.metadata === true }, report) : renderFileReport(report, stdoutStyle(opts), { verbose: opts.verbose }));
  return 0;
}
