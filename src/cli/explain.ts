import { MicrogptError } from '../errors.js';
import { ContractSet } from '../contracts/index.js';
import { renderJson } from '../render/json.js';
import { extraContractDirs } from './dirs.js';
import { print, stdoutStyle, terminalWidth, type OutputOptions } from './output.js';

export interface ExplainOptions extends OutputOptions {
  attention?: string;
  tensor?: string;
  kernel?: string | true;
  verbose?: boolean;
  heads?: number[];
  layer?: number;
  html?: string;
  errors?: boolean;
  seed: number;
  len: number;
  family?: string;
  size?: string;
  vs?: string;
  model?: string;
  contracts?: string[];
}

export const EXPLAIN_MODES = [
  ['--attention <text>', 'per-head attention weights of the model on [BOS, text…], with the invariants checked'],
  ['--tensor <name>', 'role, shape and formula of one tensor (attn_mask: the causal mask)'],
  ['--kernel <family>', 'a family\'s kernel pipeline and constraints, compared with microGPT'],
  ['MGnnn | --errors', 'what an error code means, its usual causes and the fix (or the list of codes)'],
] as const;

export function explainModesText(): string {
  return [
    'microgpt explain: choose one mode:',
    ...EXPLAIN_MODES.map(([flag, what]) => `  ${flag.padEnd(20)} ${what}`),
    'e.g. microgpt explain --attention mar    (see microgpt explain --help)',
  ].join('\n');
}

function contractSet(opts: ExplainOptions): Promise<ContractSet> {
  return ContractSet.load(extraContractDirs(opts.contracts));
}

export async function runExplain(code: string | undefined, opts: ExplainOptions): Promise<number> {
  if (code !== undefined || opts.errors) {
    if (code !== undefined && opts.errors) throw new MicrogptError('MG001', 'give an error code or --errors, not both');
    const [{ buildErrorCodesReport }, { renderErrorCodes }] = await Promise.all([import('../explain/error-codes.js'), import('../render/error-codes.js')]);
    const report = buildErrorCodesReport(code);
    print(opts.json ? renderJson('explain --errors', { code: code ?? null }, report) : renderErrorCodes(report, stdoutStyle(opts)));
    return 0;
  }
  const modes = [opts.attention, opts.tensor, opts.kernel].filter((m) => m !== undefined);
  if (modes.length === 0) {
    process.stderr.write(explainModesText() + '\n');
    return 2;
  }
  if (modes.length > 1) throw new MicrogptError('MG001', 'give one mode at a time: --attention, --tensor or --kernel');
  if (opts.html !== undefined && opts.attention === undefined) throw new MicrogptError('MG001', '--html goes with --attention (or use microgpt inspect --html)');
  const style = stdoutStyle(opts);

  // Each mode imports only what it needs, to keep start-up fast.
  if (opts.attention !== undefined) {
    const [{ modelFrom }, { buildAttentionReport }, { probeNames }, { builtinNames }, { renderAttentionReport }] = await Promise.all([
      import('./model.js'),
      import('../explain/attention.js'),
      import('../explain/heads.js'),
      import('../model/corpus.js'),
      import('../render/attention.js'),
    ]);
    const src = await modelFrom(opts);
    // A trained model gets the head-specialisation summary, probed on corpus names it can read.
    const probe = src.trained ? probeNames(builtinNames().filter((n) => [...n].every((c) => src.tokenizer.chars.includes(c)))) : undefined;
    const report = buildAttentionReport(src.model, src.tokenizer, opts.attention, {
      seed: opts.seed,
      weightsFrom: src.weightsFrom,
      probe: probe?.length ? probe : undefined,
      select: { heads: opts.heads, layer: opts.layer },
    });
    const inputs = { text: opts.attention, seed: opts.seed, model: opts.model ?? null, heads: opts.heads ?? null, layer: opts.layer ?? null };
    if (opts.html !== undefined) {
      const [{ renderAttentionHtml }, { buildMaskReport }, { writeFileAtomic }] = await Promise.all([import('../render/html.js'), import('../explain/mask.js'), import('../fsutil.js')]);
      writeFileAtomic(opts.html, renderAttentionHtml(report, buildMaskReport(report.tokens.length)));
      process.stderr.write(`wrote ${opts.html}\n`);
    }
    print(opts.json ? renderJson('explain --attention', inputs, report) : renderAttentionReport(report, style, { width: terminalWidth() }));
    return report.allInvariantsHold ? 0 : 1;
  }

  const contracts = await contractSet(opts);
  if (opts.kernel !== undefined) {
    // `--kernel` with no family explains the checkpoint's family.
    if (opts.kernel === true) {
      if (opts.model === undefined) throw new MicrogptError('MG001', '--kernel needs a family (e.g. --kernel llama), or --model FILE to explain the checkpoint\'s family');
      opts.kernel = (await (await import('./model.js')).modelFrom(opts)).family;
    }
    const kernelArg: string = opts.kernel;
    const [{ buildKernelReport, buildVsReport }, { renderKernelReport, renderVsReport }, { resolveKernelTarget }] = await Promise.all([
      import('../explain/kernel.js'),
      import('../render/kernel.js'),
      import('../contracts/resolve.js'),
    ]);
    const all = contracts.families.map((f) => f.contract);
    const reference = contracts.get('microgpt');
    const report = buildKernelReport(await resolveKernelTarget(kernelArg, contracts), reference, all, { verbose: opts.verbose === true, size: opts.size });
    const inputs = { kernel: kernelArg, verbose: opts.verbose === true, size: opts.size ?? null, vs: opts.vs ?? null };
    if (opts.vs !== undefined) {
      const other = buildKernelReport(await resolveKernelTarget(opts.vs, contracts), reference, all, { verbose: false });
      const vs = buildVsReport(report, other);
      print(opts.json ? renderJson('explain --kernel --vs', inputs, vs) : renderVsReport(vs, style));
      return 0;
    }
    print(opts.json ? renderJson('explain --kernel', inputs, report) : renderKernelReport(report, style));
    return 0;
  }

  const [{ buildTensorReport }, { renderTensorReport }] = await Promise.all([import('../explain/tensor.js'), import('../render/tensor.js')]);
  const src = opts.model !== undefined ? await (await import('./model.js')).modelFrom(opts) : null;
  const family = opts.family ?? src?.family;
  // A tiny family model's own parameter names (layer0.attn_wk …) are explained with its real shapes.
  const explainOnly = family !== undefined && ['ssm', 'linear'].includes(contracts.get(family).constraints.attention_type);
  if (family !== undefined && src === null && !explainOnly && /^(layer\d+\.|wte$|wpe$|lm_head|norm_)/.test(opts.tensor!)) {
    const tiny = await (await import('./model.js')).modelFrom({ ...opts, family });
    if (tiny.model.params.has(opts.tensor!)) {
      const report = buildTensorReport(contracts.families.map((f) => f.contract), opts.tensor!, { maskLen: opts.len, tiny: { family: tiny.family, model: tiny.model } });
      print(opts.json ? renderJson('explain --tensor', { tensor: opts.tensor, family, len: opts.len, model: null }, report) : renderTensorReport(report, style));
      return 0;
    }
  }
  const report = buildTensorReport(
    contracts.families.map((f) => f.contract),
    opts.tensor!,
    { family: family ? contracts.get(family) : undefined, maskLen: opts.len, model: src ? { weightsFrom: src.weightsFrom, params: src.model.params } : undefined },
  );
  print(opts.json ? renderJson('explain --tensor', { tensor: opts.tensor, family: family ?? null, len: opts.len, model: opts.model ?? null }, report) : renderTensorReport(report, style));
  return 0;
}
