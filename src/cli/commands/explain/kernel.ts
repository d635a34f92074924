/** explain --kernel: a family's kernel pipeline and constraints vs microGPT, side by side (--vs), or its memory (--memory). */
import type { ContractSet } from '../../../contracts/index.js';
import { MicrogptError } from '../../../errors.js';
import { renderJson } from '../../../render/json.js';
import { loadContracts } from '../../dirs.js';
import { show } from '../../output.js';
import type { ExplainOptions } from './types.js';

export async function explainKernel(arg: string | true, opts: ExplainOptions): Promise<number> {
  const contracts = await loadContracts(opts.contracts);
  // A model named either way — `--kernel PATH` or `--kernel --model PATH` — is read the same way, from its
  // headers (nothing runs, so a GGUF file works too). The rules refuse a FAMILY with --model.
  const model = arg === true ? opts.model : (await isModelPath(arg)) ? arg : undefined;
  if (arg === true && model === undefined)
    throw new MicrogptError(
      'MG001',
      `--kernel needs a family (e.g. --kernel llama${opts.memory ? ' --memory --size 7b' : ''}), a config.json, or a model file or folder (--kernel PATH or --model PATH)`,
    );
  if (opts.memory) return explainMemory(model ?? (arg as string), model !== undefined, opts, contracts);
  const family = model !== undefined ? (await fileReport(model, contracts)).contract.family : (arg as string);
  const [{ buildKernelReport, buildVsReport }, { renderKernelReport, renderVsReport }, { resolveKernelTarget }] =
    await Promise.all([
      import('../../../explain/kernel.js'),
      import('../../../render/kernel.js'),
      import('../../../contracts/resolve.js'),
    ]);
  const all = contracts.families.map((f) => f.contract);
  const reference = contracts.get('microgpt');
  // --vs compares sizes and tensors, which the verbose section holds.
  const report = buildKernelReport(await resolveKernelTarget(family, contracts), reference, all, {
    verbose: opts.verbose === true || opts.vs !== undefined,
    size: opts.size,
  });
  const inputs = { kernel: family, verbose: opts.verbose === true, size: opts.size ?? null, vs: opts.vs ?? null };
  if (opts.vs === undefined) {
    show(
      opts,
      () => renderJson('explain --kernel', inputs, report),
      (style) => renderKernelReport(report, style),
    );
    return 0;
  }
  const vs = buildVsReport(
    report,
    buildKernelReport(await resolveKernelTarget(opts.vs, contracts), reference, all, { verbose: true }),
    opts.verbose === true,
  );
  show(
    opts,
    () => renderJson('explain --kernel --vs', inputs, vs),
    (style) => renderVsReport(vs, style),
  );
  return 0;
}

/** A model file or folder rather than a family name, a contract or a config.json: by its name, else by its first bytes. */
async function isModelPath(arg: string): Promise<boolean> {
  const { statSync } = await import('node:fs');
  const st = statSync(arg, { throwIfNoEntry: false });
  if (st === undefined) return false;
  // x.json names a contract or config.json, even when it is (wrongly) a folder: its reader says so.
  if ((st.isDirectory() && !arg.endsWith('.json')) || MODEL_SUFFIXES.some((s) => arg.endsWith(s))) return true;
  if (!st.isFile() || arg.endsWith('.json')) return false;
  // The readers only now: a family name (the common case) must not pay for loading them at start-up.
  const { looksLikeModelFile } = await import('../../../formats/index.js');
  return looksLikeModelFile(arg);
}

const MODEL_SUFFIXES = ['.safetensors', '.gguf', '.safetensors.index.json'];

/** --memory: weights, KV cache and FLOPs per token, for a family size, a config.json or a model file. */
async function explainMemory(
  arg: string,
  isModel: boolean,
  opts: ExplainOptions,
  contracts: ContractSet,
): Promise<number> {
  const [{ buildMemoryReport }, { renderMemoryReport }] = await Promise.all([
    import('../../../explain/files/memory.js'),
    import('../../../render/memory.js'),
  ]);
  const input = isModel ? await memoryFromFile(arg, contracts) : await memoryFromContract(arg, opts, contracts);
  const report = buildMemoryReport(input, { context: opts.context, batch: opts.batch, kvDtype: opts.kvDtype });
  const inputs = {
    kernel: arg,
    size: opts.size ?? null,
    context: opts.context ?? null,
    batch: opts.batch,
    kvDtype: opts.kvDtype,
  };
  show(
    opts,
    () => renderJson('explain --kernel --memory', inputs, report),
    (style) => renderMemoryReport(report, style),
  );
  return 0;
}

async function memoryFromContract(arg: string, opts: ExplainOptions, contracts: ContractSet) {
  const [{ effectiveContract, CONFIG_SIZE }, { resolveKernelTarget }, { shapeVariables }, { didYouMean }] =
    await Promise.all([
      import('../../../explain/kernel.js'),
      import('../../../contracts/resolve.js'),
      import('../../../contracts/index.js'),
      import('../../../suggest.js'),
    ]);
  const target = await resolveKernelTarget(arg, contracts);
  const c = effectiveContract(target);
  const name =
    opts.size ??
    (target.config ? CONFIG_SIZE : Object.entries(c.sizes).sort((a, b) => a[1].parameters - b[1].parameters)[0][0]);
  const size = c.sizes[name];
  if (!size)
    throw new MicrogptError(
      'MG015',
      `unknown size "${name}" for ${c.family}${didYouMean(name, Object.keys(c.sizes))}; sizes: ${Object.keys(c.sizes).join(', ')}`,
    );
  const source = name === CONFIG_SIZE ? String(arg) : `size ${name}`;
  return {
    contract: c,
    vars: shapeVariables(size),
    tied: c.constraints.tied_embeddings,
    source,
    actualWeights: null,
    parameters: null,
  };
}

/** A model file or folder read from its headers, and the family contract it matches (MG019 when none does). */
async function fileReport(path: string, contracts: ContractSet) {
  const [{ openModelFiles }, { buildFileReport }] = await Promise.all([
    import('../../../formats/index.js'),
    import('../../../explain/files/report.js'),
  ]);
  const all = contracts.families.map((f) => f.contract);
  const files = openModelFiles(path);
  // A checkpoint written by microgpt train names its family: a tiny llama's tensors are named as microGPT's.
  const named = files.format === 'microgpt' ? files.stMetadata.get('family') : undefined;
  const report = buildFileReport(files, all, { family: named === undefined ? undefined : contracts.get(named) });
  const contract = all.find((c) => c.family === report.family);
  if (!contract)
    throw new MicrogptError(
      'MG019',
      `${path}: the model's family is unknown (${report.detection.reasons.join('; ')}); give its family instead, e.g. --kernel llama`,
    );
  return { report, contract };
}

async function memoryFromFile(path: string, contracts: ContractSet) {
  const { report, contract } = await fileReport(path, contracts);
  const vars = Object.fromEntries(report.sizes.map((s) => [s.field, s.value]));
  const actualWeights = report.dtypes.map((d) => ({ dtype: d.dtype, bytes: d.bytes }));
  return {
    contract,
    vars,
    tied: report.tied.value ?? contract.constraints.tied_embeddings,
    source: path,
    actualWeights,
    parameters: report.parameterCount,
  };
}
