/** microgpt contracts list | validate: the family contracts, listed or checked. */
import { Argument } from 'commander';
import { examples, type CommandModule } from '../command.js';
import type { OutputOptions } from '../output.js';
import { contractsOption, outputOptions } from '../presets.js';

async function runContractsList(opts: OutputOptions & { contracts?: string[] }): Promise<number> {
  const [{ loadContracts }, { buildContractList }, { renderContractList }, { renderJson }, { show }] =
    await Promise.all([
      import('../dirs.js'),
      import('../../explain/contracts.js'),
      import('../../render/contracts.js'),
      import('../../render/json.js'),
      import('../output.js'),
    ]);
  const set = await loadContracts(opts.contracts);
  const report = buildContractList(set.families);
  show(
    opts,
    () => renderJson('contracts list', { contracts: opts.contracts ?? [] }, report),
    (style) => renderContractList(report, style),
  );
  return 0;
}

/** Validates files (or every contract in folders); with none given, the shipped contracts. Exit 1 on any error. */
async function runContractsValidate(files: string[], opts: OutputOptions): Promise<number> {
  const [{ SHIPPED_CONTRACTS_DIR }, { validateContracts }, { renderValidate }, { renderJson }, { show }] =
    await Promise.all([
      import('../../contracts/index.js'),
      import('../../explain/contracts.js'),
      import('../../render/contracts.js'),
      import('../../render/json.js'),
      import('../output.js'),
    ]);
  const report = await validateContracts(files.length ? files : [SHIPPED_CONTRACTS_DIR()]);
  show(
    opts,
    () => renderJson('contracts validate', { files }, report),
    (style) => renderValidate(report, style),
  );
  return report.allValid ? 0 : 1;
}

export const contracts: CommandModule = {
  name: 'contracts',
  description: 'the family contracts: list them, or validate contract files',
  commands: [
    {
      name: 'list',
      description: 'a table of every known family and its constraints',
      options: [contractsOption(), ...outputOptions()],
      help: examples(['microgpt contracts list', 'microgpt contracts list --contracts ./my-contracts']),
      run: ({ opts }) => runContractsList(opts),
    },
    {
      name: 'validate',
      description: 'validate contract files or folders (default: the shipped contracts); exit 1 on any error',
      args: [new Argument('[files...]', 'contract .json files or folders of them')],
      options: outputOptions(),
      help: examples(['microgpt contracts validate', 'microgpt contracts validate my-family.json ./more-contracts']),
      run: ({ args, opts }) => runContractsValidate(args[0] as string[], opts),
    },
  ],
};
