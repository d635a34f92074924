/** microgpt ablate and patch: causal evidence on any model --model or --family names. */
import { MicrogptError } from '../errors.js';
import { buildAblationReport, parseComponents } from '../explain/ablation.js';
import { encodeDocuments } from '../explain/eval.js';
import { inputIds, tokenLabel, type Engine } from '../engine/index.js';
import { renderAblationReport } from '../render/ablation.js';
import { renderJson } from '../render/json.js';
import { BUILTIN_CORPUS, builtinNames, readDocs } from '../model/corpus.js';
import { openEngine, type EngineOptions } from './engine.js';
import { show, type OutputOptions } from './output.js';

export interface AblateOptions extends OutputOptions, EngineOptions {
  data?: string;
  text?: string;
  heads?: string;
  count: number;
}

/** The documents to ablate on: --text, --data, or (for microGPT names) a fixed probe of the built-in corpus. */
async function ablationDocs(engine: Engine, opts: AblateOptions): Promise<{ docs: number[][]; data: string }> {
  if (opts.text !== undefined && opts.data !== undefined)
    throw new MicrogptError('MG001', 'give --text or --data, not both');
  const names = engine.info.endsWithEos;
  if (!names && opts.text === undefined && opts.data === undefined)
    throw new MicrogptError('MG001', 'a model folder is ablated on your text: give --text TEXT or --data FILE');
  if (opts.text !== undefined) return { docs: encodeDocuments(engine, [opts.text], '--text'), data: `"${opts.text}"` };
  if (!names) return { docs: encodeDocuments(engine, readDocs(opts.data!), opts.data!), data: opts.data! };
  const { probeNames } = await import('../explain/heads.js');
  const label = opts.data ?? BUILTIN_CORPUS;
  const probe = probeNames(opts.data === undefined ? builtinNames() : readDocs(opts.data), opts.count);
  return { docs: encodeDocuments(engine, probe, label), data: `${label} (${probe.length} names)` };
}

export async function runAblate(opts: AblateOptions): Promise<number> {
  const engine = await openEngine(opts);
  const { docs, data } = await ablationDocs(engine, opts);
  if (docs.some((d) => d.length < 2))
    throw new MicrogptError('MG086', 'every text needs two or more tokens (a next token to predict)');
  const together = opts.heads !== undefined ? parseComponents(opts.heads, engine.info) : undefined;
  const report = buildAblationReport(engine, docs, { data, together });
  show(
    opts,
    () =>
      renderJson(
        'ablate',
        {
          model: opts.model ?? null,
          family: opts.family ?? null,
          data: opts.data ?? null,
          text: opts.text ?? null,
          heads: opts.heads ?? null,
          seed: opts.seed,
        },
        report,
      ),
    (style) => renderAblationReport(report, style),
  );
  return 0;
}

export interface PatchOptions extends OutputOptions, EngineOptions {
  clean: string;
  corrupt: string;
  target: string;
}

/** The target as one token: a character (or BOS) for microGPT, text that encodes to one token for a real model. */
function targetToken(engine: Engine, text: string): { id: number; label: string } {
  if (engine.eos !== null && text === tokenLabel(engine, engine.eos)) return { id: engine.eos, label: text };
  // What the tokenizer adds to every text (its BOS, even when config.json names none) is not the target.
  const added = new Set([...addedTokens(engine), ...(engine.bos === null ? [] : [engine.bos])]);
  const ids = inputIds(engine, text, undefined).filter((id) => !added.has(id));
  if (ids.length !== 1)
    throw new MicrogptError(
      'MG086',
      `--target "${text}" is ${ids.length} tokens; give text that is one token${engine.info.endsWithEos ? ' (one character, or BOS)' : ''}`,
    );
  return { id: ids[0]!, label: tokenLabel(engine, ids[0]!) };
}

/** The tokens a tokenizer adds to any text: what it makes of the empty text (none when it refuses one). */
function addedTokens(engine: Engine): number[] {
  try {
    return engine.tokenizer?.encode('') ?? [];
  } catch {
    return [];
  }
}

/** microgpt patch: which activations carry the clean answer into the corrupted run. */
export async function runPatch(opts: PatchOptions): Promise<number> {
  const { buildPatchReport } = await import('../explain/patching.js');
  const { renderPatchReport } = await import('../render/patching.js');
  const engine = await openEngine(opts);
  const encode = (text: string) => {
    const ids = inputIds(engine, text, undefined);
    return { ids, labels: ids.map((id) => tokenLabel(engine, id)), text };
  };
  const report = buildPatchReport(engine, encode(opts.clean), encode(opts.corrupt), targetToken(engine, opts.target));
  show(
    opts,
    () =>
      renderJson(
        'patch',
        {
          model: opts.model ?? null,
          family: opts.family ?? null,
          clean: opts.clean,
          corrupt: opts.corrupt,
          target: opts.target,
          seed: opts.seed,
        },
        report,
      ),
    (style) => renderPatchReport(report, style),
  );
  return 0;
}
