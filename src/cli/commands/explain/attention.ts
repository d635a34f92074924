/** explain --attention: any model's attention, microGPT on [BOS, name…], a model folder on its tokenizer's ids or --ids. */
import { MicrogptError } from '../../../errors.js';
import { buildAttentionReport, type AttentionReport } from '../../../explain/attention.js';
import { probeNames } from '../../../explain/heads.js';
import { builtinNames } from '../../../model/corpus.js';
import { inputIds } from '../../../engine/index.js';
import { renderJson } from '../../../render/json.js';
import { safe } from '../../../render/escape.js';
import { openEngine } from '../../engine.js';
import { headRefs } from '../../options.js';
import { show } from '../../output.js';
import type { ExplainOptions } from './types.js';

/** --heads and --layer as a selection: LAYER.HEAD already names its layer, so it does not go with --layer. */
function selection(opts: ExplainOptions) {
  const heads = opts.heads === undefined ? undefined : headRefs(opts.heads);
  const paired = heads?.find((r) => r.layer !== null);
  if (paired && opts.layer !== undefined)
    throw new MicrogptError(
      'MG001',
      `--heads ${paired.layer}.${paired.head} names its layer; with --layer give head numbers only (e.g. --heads ${paired.head})`,
    );
  return { heads, layer: opts.layer };
}

export async function explainAttention(arg: string | true, opts: ExplainOptions): Promise<number> {
  const select = selection(opts);
  // --html is checked once the model's files are known as inputs, before its weights load.
  const checkHtml = async () => {
    if (opts.html !== undefined) (await import('../../../outputs.js')).checkOutput(htmlOutput(opts));
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
  const report = buildAttentionReport(engine, ids, { text, seed: opts.seed, probe, select });
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
      import('../../../render/html.js'),
      import('../../../explain/mask.js'),
      import('../../../outputs.js'),
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
  const { renderAttentionReport } = await import('../../../render/attention.js');
  const inputs = {
    text,
    ids: opts.ids ?? null,
    seed: opts.seed,
    model: opts.model ?? null,
    heads: opts.heads ?? null,
    layer: opts.layer ?? null,
  };
  show(
    opts,
    () => renderJson('explain --attention', inputs, report),
    (style) => renderAttentionReport(report, style, { width: style.width }),
  );
  return report.allInvariantsHold ? 0 : 1;
}
