/** explain --kernel: a family's kernel pipeline and constraints vs microGPT, side by side (--vs), or its memory (--memory). */
import type { ContractSet } from '../../../contracts/index.js';
import { MicrogptError } from '../../../errors.js';
import { renderJson } from '../../../render/json.js';
import { loadContracts } from '../../dirs.js';
import { show } from '../../output.js';
import type { ExplainOptions } from './types.js';

export async function explainKernel(arg: string | true, opts: ExplainOptions): Promise<number> {
  const contracts = await loadContracts(opts.contracts);
  if (opts.memory) return explainMemory(arg, opts, contracts);
  // `--kernel` with no family explains the checkpoint's family.
  if (arg === true && opts.model === undefined)
    throw new MicrogptError(
      'MG001',
      "--kernel needs a family (e.g. --kernel llama), or --model FILE to explain the checkpoint's family",
    );
  const family = arg === true ? (await (await import('../../engine.js')).openEngine(opts)).info.family : arg;
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

/** A model file or folder rather than a family name, a contract or a config.json. */
async function isModelPath(arg: string): Promise<boolean> {
  const { statSync } = await import('node:fs');
  const st = statSync(arg, { throwIfNoEntry: false });
  return (
    st !== undefined &&
    (st.isDirectory() ||
      arg.endsWith('.safetensors') ||
      arg.endsWith('.gguf') ||
      arg.endsWith('.safetensors.index.json'))
  );
}

/** --memory: weights, KV cache and FLOPs per token, for a family size, a config.json or a model file. */
async function explainMemory(arg: string | true, opts: ExplainOptions, contracts: ContractSet): Promise<number> {
  if (arg === true)
    throw new MicrogptError(
      'MG001',
      '--memory needs --kernel with a family (and --size), a config.json or a model file or folder',
    );
  const [{ buildMemoryReport }, { renderMemoryReport }] = await Promise.all([
    import('../../../explain/files/memory.js'),
    import('../../../render/memory.js'),
  ]);
  const input = (await isModelPath(arg))
    ? await memoryFromFile(arg, contracts)
    : await memoryFromContract(arg, opts, contracts);
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

async function memoryFromFile(path: string, contracts: ContractSet) {
  const [{ openModelFiles }, { buildFileReport }] = await Promise.all([
    import('../../../formats/index.js'),
    import('../../../explain/files/report.js'),
  ]);
  const all = contracts.families.map((f) => f.contract);
  const report = buildFileReport(openModelFiles(path), all);
  const contract = all.find((c) => c.family === report.family);
  if (!contract)
    throw new MicrogptError(
      'MG019',
      `${path}: the model's family is unknown (${report.detection.reasons.join('; ')}), so its KV cache cannot be sized`,
    );
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
