/** microgpt ablate: every head and MLP removed in turn, on microGPT, a tiny family, a checkpoint or a model folder. */
import { MicrogptError } from '../errors.js';
import {
  buildAblationReport,
  nativeAblationModel,
  parseComponents,
  realAblationModel,
  type AblationModel,
} from '../explain/ablation.js';
import { renderAblationReport } from '../render/ablation.js';
import { renderJson } from '../render/json.js';
import { corpusFrom } from './corpus.js';
import { isRealModel, modelFolder, modelFrom } from './model.js';
import { show, type OutputOptions } from './output.js';

export interface AblateOptions extends OutputOptions {
  model?: string;
  family?: string;
  contracts?: string[];
  seed: number;
  data?: string;
  text?: string;
  heads?: string;
  count: number;
}

export async function runAblate(opts: AblateOptions): Promise<number> {
  if (opts.text !== undefined && opts.data !== undefined)
    throw new MicrogptError('MG001', 'give --text or --data, not both');
  let model: AblationModel;
  let docs: number[][];
  let data: string;
  if (await isRealModel(opts.model)) {
    const { inputIds } = await import('../model/hf/load.js');
    const src = await modelFolder(opts);
    model = realAblationModel(src);
    if (opts.text === undefined && opts.data === undefined)
      throw new MicrogptError('MG001', 'a model folder is ablated on your text: give --text TEXT or --data FILE');
    const texts = opts.text !== undefined ? [opts.text] : (await import('../model/corpus.js')).readDocs(opts.data!);
    docs = texts.map((t) => inputIds(src, t, undefined));
    if (docs.some((d) => d.length < 2))
      throw new MicrogptError('MG086', 'every text needs two or more tokens (a next token to predict)');
    data = opts.text !== undefined ? `"${opts.text}"` : opts.data!;
  } else {
    const src = await modelFrom(opts);
    model = nativeAblationModel(src.model, src);
    const names =
      opts.text !== undefined
        ? [opts.text]
        : (await import('../explain/heads.js')).probeNames(corpusFrom(opts.data).docs, opts.count);
    for (const n of names) src.tokenizer.encodeChars(n);
    docs = names.map((n) => src.tokenizer.encodeDoc(n).slice(0, src.model.config.blockSize + 1));
    data = opts.text !== undefined ? `"${opts.text}"` : `${corpusFrom(opts.data).label} (${names.length} names)`;
  }
  const together = opts.heads !== undefined ? parseComponents(opts.heads, model) : undefined;
  const report = buildAblationReport(model, docs, { data, together });
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

export interface PatchOptions extends OutputOptions {
  model?: string;
  family?: string;
  contracts?: string[];
  seed: number;
  clean: string;
  corrupt: string;
  target: string;
}

/** microgpt patch: which activations carry the clean answer into the corrupted run. */
export async function runPatch(opts: PatchOptions): Promise<number> {
  const { buildPatchReport } = await import('../explain/patching.js');
  const { renderPatchReport } = await import('../render/patching.js');
  let model: AblationModel;
  let encode: (text: string) => { ids: number[]; labels: string[]; text: string };
  let target: { id: number; label: string };
  if (await isRealModel(opts.model)) {
    const { inputIds, tokenLabel } = await import('../model/hf/load.js');
    const src = await modelFolder(opts);
    model = realAblationModel(src);
    encode = (text) => {
      const ids = inputIds(src, text, undefined);
      return { ids, labels: ids.map((id) => tokenLabel(src, id)), text };
    };
    const t = inputIds(src, opts.target, undefined).filter((id) => id !== src.spec.bosId);
    if (t.length !== 1)
      throw new MicrogptError('MG086', `--target "${opts.target}" is ${t.length} tokens; give text that is one token`);
    target = { id: t[0]!, label: tokenLabel(src, t[0]!) };
  } else {
    const src = await modelFrom(opts);
    model = nativeAblationModel(src.model, src);
    encode = (text) => {
      const ids = src.tokenizer.encodePrompt(text);
      if (ids.length > src.model.config.blockSize)
        throw new MicrogptError(
          'MG086',
          `"${text}" is ${ids.length} tokens; the model takes at most ${src.model.config.blockSize}`,
        );
      return { ids, labels: ids.map((id) => src.tokenizer.label(id)), text };
    };
    const ids =
      opts.target === src.tokenizer.label(src.tokenizer.bos)
        ? [src.tokenizer.bos]
        : src.tokenizer.encodeChars(opts.target);
    if (ids.length !== 1)
      throw new MicrogptError(
        'MG086',
        `--target "${opts.target}" is ${ids.length} characters; give one character (or BOS)`,
      );
    target = { id: ids[0]!, label: src.tokenizer.label(ids[0]!) };
  }
  const report = buildPatchReport(model, encode(opts.clean), encode(opts.corrupt), target);
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
