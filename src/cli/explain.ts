import { MicrogptError } from '../errors.js';
import { ContractSet } from '../contracts/index.js';
import { renderJson } from '../render/json.js';
import { extraContractDirs } from './dirs.js';
import { show, type OutputOptions } from './output.js';
import { safe } from '../render/style.js';
import type { AttentionReport } from '../explain/attention.js';

export interface ExplainOptions extends OutputOptions {
  attention?: string | true;
  ids?: number[];
  tensor?: string;
  kernel?: string | true;
  verbose?: boolean;
  /** A list with --attention (which heads to show); alone, the head detectors. */
  heads?: number[] | true;
  layer?: number;
  html?: string;
  /** Replace an existing --html file that microgpt did not write. */
  force?: boolean;
  errors?: boolean;
  seed: number;
  len: number;
  family?: string;
  size?: string;
  vs?: string;
  model?: string;
  contracts?: string[];
  memory?: boolean;
  context?: number;
  batch: number;
  kvDtype: string;
  /** Threads of a model folder's kernels. */
  threads?: number;
  /** Options typed on the command line (not defaults). */
  given?: string[];
}

/** The options each explain mode takes, beyond --json, --no-color and --contracts. */
const MODE_OPTIONS: Record<'attention' | 'tensor' | 'kernel' | 'heads' | 'errors', readonly string[]> = {
  attention: ['attention', 'ids', 'heads', 'html', 'force', 'layer', 'seed', 'model', 'family', 'threads'],
  heads: ['heads', 'model', 'family', 'seed', 'threads'],
  tensor: ['tensor', 'len', 'family', 'model', 'seed'],
  kernel: ['kernel', 'verbose', 'size', 'vs', 'memory', 'context', 'batch', 'kvDtype', 'model', 'seed'],
  errors: ['errors'],
};
const COMMON = ['json', 'color', 'contracts'];
const flagOf = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** An option the chosen mode does not use is an error, not silently ignored. */
function refuseForeignOptions(opts: ExplainOptions, mode: keyof typeof MODE_OPTIONS): void {
  const allowed = new Set([...MODE_OPTIONS[mode], ...COMMON]);
  const foreign = (opts.given ?? []).filter((k) => !allowed.has(k));
  if (foreign.length) {
    const where = (Object.keys(MODE_OPTIONS) as Array<keyof typeof MODE_OPTIONS>).find(
      (m) => m !== mode && MODE_OPTIONS[m].includes(foreign[0]),
    );
    throw new MicrogptError(
      'MG001',
      `${flagOf(foreign[0])} does not apply to ${mode === 'errors' ? 'error codes' : `--${mode}`}${where ? ` (it goes with ${where === 'errors' ? 'error codes' : `--${where}`})` : ''}; drop it`,
    );
  }
  const memoryOnly = ['context', 'batch', 'kvDtype'].find((k) => opts.given?.includes(k));
  if (memoryOnly && !opts.memory) throw new MicrogptError('MG001', `${flagOf(memoryOnly)} goes with --memory`);
}

export const EXPLAIN_MODES = [
  ['--attention <text>', 'per-head attention weights of the model on [BOS, text…], with the invariants checked'],
  ['--tensor <name>', 'role, shape and formula of one tensor (attn_mask: the causal mask)'],
  ['--kernel <family>', "a family's kernel pipeline and constraints, compared with microGPT"],
  ['--heads', 'every head scored as a previous-token, duplicate-token, induction and first-token head'],
  ['MGnnn | --errors', 'what an error code means, its usual causes and the fix (or the list of codes)'],
] as const;

export function explainModesText(): string {
  return [
    'microgpt explain: choose one mode:',
    ...EXPLAIN_MODES.map(([flag, what]) => `  ${flag.padEnd(20)} ${what}`),
    'e.g. microgpt explain --attention mar    (see microgpt explain --help)',
  ].join('\n');
}

export async function runExplain(code: string | undefined, opts: ExplainOptions): Promise<number> {
  if (code !== undefined || opts.errors) {
    refuseForeignOptions(opts, 'errors');
    return explainErrors(code, opts);
  }
  const detectors = opts.heads === true && opts.attention === undefined;
  if (
    Array.isArray(opts.heads) &&
    opts.attention === undefined &&
    opts.tensor === undefined &&
    opts.kernel === undefined
  )
    throw new MicrogptError(
      'MG001',
      '--heads with a list selects heads to show with --attention; alone (no list) it scores every head: explain --heads',
    );
  if (opts.heads === true && !detectors)
    throw new MicrogptError('MG001', '--heads with --attention takes a list of heads, e.g. --heads 0,2');
  const modes = [opts.attention, opts.tensor, opts.kernel, detectors ? true : undefined].filter((m) => m !== undefined);
  if (modes.length === 0) {
    const [{ fitToWidth }, { terminalWidth }] = await Promise.all([
      import('../render/layout.js'),
      import('./output.js'),
    ]);
    process.stderr.write(fitToWidth(explainModesText(), terminalWidth()) + '\n');
    return 2;
  }
  if (modes.length > 1)
    throw new MicrogptError('MG001', 'give one mode at a time: --attention, --tensor, --kernel or --heads');
  if (opts.html !== undefined && opts.attention === undefined)
    throw new MicrogptError('MG001', '--html goes with --attention (or use microgpt inspect --html)');
  if (opts.force && opts.html === undefined)
    throw new MicrogptError('MG001', '--force goes with --html (it lets an existing file be replaced)');
  refuseForeignOptions(
    opts,
    detectors ? 'heads' : opts.attention !== undefined ? 'attention' : opts.tensor !== undefined ? 'tensor' : 'kernel',
  );
  if (detectors) return explainHeads(opts);
  // Each mode imports only what it needs, to keep start-up fast.
  if (opts.attention !== undefined) return explainAttention(opts.attention, opts);
  const contracts = await ContractSet.load(extraContractDirs(opts.contracts));
  if (opts.kernel !== undefined) return explainKernel(opts.kernel, opts, contracts);
  return explainTensor(opts.tensor!, opts, contracts);
}

async function explainErrors(code: string | undefined, opts: ExplainOptions): Promise<number> {
  if (code !== undefined && opts.errors) throw new MicrogptError('MG001', 'give an error code or --errors, not both');
  const [{ buildErrorCodesReport }, { renderErrorCodes }] = await Promise.all([
    import('../explain/error-codes.js'),
    import('../render/error-codes.js'),
  ]);
  const report = buildErrorCodesReport(code);
  show(
    opts,
    () => renderJson('explain --errors', { code: code ?? null }, report),
    (style) => renderErrorCodes(report, style),
  );
  return 0;
}

/** explain --heads: the head detectors on microGPT, a tiny family, a checkpoint or a model folder. */
async function explainHeads(opts: ExplainOptions): Promise<number> {
  const [{ headsSteps }, { renderHeadsReport }, { openEngine }, { withProgress, INTERRUPTED }] = await Promise.all([
    import('../explain/detectors.js'),
    import('../render/heads.js'),
    import('./engine.js'),
    import('./progress.js'),
  ]);
  const report = await withProgress('explain --heads', headsSteps(await openEngine(opts), opts.seed));
  show(
    opts,
    () =>
      renderJson(
        'explain --heads',
        { model: opts.model ?? null, family: opts.family ?? null, seed: opts.seed },
        report,
      ),
    (style) => renderHeadsReport(report, style),
  );
  return report.interrupted ? INTERRUPTED : 0;
}

/** Any model's attention: microGPT on [BOS, name…], a model folder on its tokenizer's ids or --ids as given. */
async function explainAttention(arg: string | true, opts: ExplainOptions): Promise<number> {
  const [{ openEngine }, { buildAttentionReport }, { probeNames }, { builtinNames }, { inputIds }] = await Promise.all([
    import('./engine.js'),
    import('../explain/attention.js'),
    import('../explain/heads.js'),
    import('../model/corpus.js'),
    import('../engine/index.js'),
  ]);
  // --html is checked once the model's files are known as inputs, before its weights load.
  const checkHtml = async () => {
    if (opts.html !== undefined) (await import('../outputs.js')).checkOutput(htmlOutput(opts));
  };
  const engine = await openEngine(opts, checkHtml);
  const names = engine.info.endsWithEos;
  if (arg === true && (names || opts.ids === undefined))
    throw new MicrogptError(
      'MG001',
      names
        ? '--attention needs a name to run, e.g. --attention mar'
        : '--attention needs text, e.g. --attention "the cat sat", or token ids with --ids',
    );
  if (names && opts.ids !== undefined)
    throw new MicrogptError(
      'MG001',
      '--ids goes with --model DIR (a Hugging Face model folder); microGPT takes a name',
    );
  const text = arg === true ? '' : arg;
  const ids = inputIds(engine, arg === true ? undefined : arg, opts.ids);
  // A trained character model gets the head-specialisation summary, probed on corpus names it can read.
  const probe =
    names && engine.info.trained
      ? probeNames(
          builtinNames().filter((n) => {
            try {
              engine.tokenizer!.encode(n);
              return true;
            } catch {
              return false;
            }
          }),
        )
      : [];
  const report = buildAttentionReport(engine, ids, {
    text,
    seed: opts.seed,
    probe,
    select: { heads: opts.heads === true ? undefined : opts.heads, layer: opts.layer },
  });
  return showAttention(report, text, opts);
}

/** --html: an HTML report, never onto --model or any file the run reads (outputs.ts). */
const htmlOutput = (opts: ExplainOptions) => ({
  path: opts.html!,
  flag: '--html',
  force: opts.force === true,
  html: true,
  inputs: opts.model !== undefined ? [{ path: opts.model, flag: '--model' }] : [],
});

async function showAttention(report: AttentionReport, text: string, opts: ExplainOptions): Promise<number> {
  if (opts.html !== undefined) {
    const [{ renderAttentionHtml }, { buildMaskReport }, { writeOutput }] = await Promise.all([
      import('../render/html.js'),
      import('../explain/mask.js'),
      import('../outputs.js'),
    ]);
    writeOutput(htmlOutput(opts), renderAttentionHtml(report, buildMaskReport(report.tokens.length)));
    process.stderr.write(`wrote ${safe(opts.html)}\n`);
    // No text report follows a page, so a failed invariant (exit 1) is said here.
    const failed = report.invariants.filter((i) => !i.holds).length;
    if (failed && !opts.json)
      process.stderr.write(
        `${failed} of ${report.invariants.length} invariants fail on these weights; the page lists them\n`,
      );
  }
  const { renderAttentionReport } = await import('../render/attention.js');
  const inputs = {
    text,
    ids: opts.ids ?? null,
    seed: opts.seed,
    model: opts.model ?? null,
    heads: opts.heads === true ? null : (opts.heads ?? null),
    layer: opts.layer ?? null,
  };
  show(
    opts,
    () => renderJson('explain --attention', inputs, report),
    (style) => renderAttentionReport(report, style, { width: style.width }),
  );
  return report.allInvariantsHold ? 0 : 1;
}

async function explainKernel(arg: string | true, opts: ExplainOptions, contracts: ContractSet): Promise<number> {
  if (opts.memory) return explainMemory(arg, opts, contracts);
  // `--kernel` with no family explains the checkpoint's family.
  if (arg === true && opts.model === undefined)
    throw new MicrogptError(
      'MG001',
      "--kernel needs a family (e.g. --kernel llama), or --model FILE to explain the checkpoint's family",
    );
  const family = arg === true ? (await (await import('./engine.js')).openEngine(opts)).info.family : arg;
  const [{ buildKernelReport, buildVsReport }, { renderKernelReport, renderVsReport }, { resolveKernelTarget }] =
    await Promise.all([
      import('../explain/kernel.js'),
      import('../render/kernel.js'),
      import('../contracts/resolve.js'),
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

async function explainTensor(name: string, opts: ExplainOptions, contracts: ContractSet): Promise<number> {
  const [{ openTaped }, { buildTensorReport }, { renderTensorReport }, { kernel }] = await Promise.all([
    import('./engine.js'),
    import('../explain/tensor.js'),
    import('../render/tensor.js'),
    import('../kernels/index.js'),
  ]);
  const src = opts.model !== undefined ? await openTaped(opts) : null;
  const family = opts.family ?? src?.info.family;
  const contract = family !== undefined ? contracts.get(family) : undefined;
  // The model's own parameter names (layer0.attn_wk …) are explained with its real shapes: the
  // checkpoint's, or a tiny model of the family (explain-only families have none).
  const runnable = contract !== undefined && kernel('attention_type', contract.constraints.attention_type).executable;
  const model = src ?? (runnable ? await openTaped({ ...opts, family }) : null);
  const report = buildTensorReport(
    contracts.families.map((f) => f.contract),
    name,
    {
      family: contract,
      maskLen: opts.len,
      model: model
        ? {
            family: model.info.family,
            model: model.model,
            weightsFrom: src ? src.info.weightsFrom : `tiny ${model.info.family} model at initialization`,
          }
        : undefined,
    },
  );
  const inputs = { tensor: name, family: family ?? null, len: opts.len, model: opts.model ?? null };
  show(
    opts,
    () => renderJson('explain --tensor', inputs, report),
    (style) => renderTensorReport(report, style),
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
    import('../explain/files/memory.js'),
    import('../render/memory.js'),
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
      import('../explain/kernel.js'),
      import('../contracts/resolve.js'),
      import('../contracts/index.js'),
      import('../suggest.js'),
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
    import('../formats/index.js'),
    import('../explain/files/report.js'),
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
