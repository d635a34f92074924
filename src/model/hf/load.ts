/**
 * A Hugging Face model folder (config.json, model.safetensors or a sharded
 * index, tokenizer files) opened for running: the spec from config.json, the
 * weights checked against it and decoded to float32, and the tokenizer.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { MicrogptError } from '../../errors.js';
import { openModelFiles } from '../../formats/open.js';
import { HfModel } from './forward.js';
import { readHfSpec, type HfSpec } from './spec.js';
import { loadTokenizer, type TextTokenizer } from './tokenizer.js';
import { loadHfWeights } from './weights.js';

export interface HfSource {
  model: HfModel;
  spec: HfSpec;
  tokenizer: TextTokenizer | null;
  /** The folder (or file) the weights came from. */
  path: string;
}

/** Header defects that leave a tensor unreadable (formats/safetensors-header.ts): entry, byte span, overlap, shards. */
const UNREADABLE = new Set(['MG053', 'MG054', 'MG055', 'MG065']);

export async function loadHfModel(path: string): Promise<HfSource> {
  const files = openModelFiles(path);
  if (files.format === 'gguf')
    throw new MicrogptError('MG072', `${path}: GGUF models do not run yet; microgpt inspect and validate read them`);
  if (!files.config)
    throw new MicrogptError(
      'MG071',
      files.configIssue
        ? `${path}: the config.json beside the weights cannot be used: ${files.configIssue}`
        : `${path}: no config.json beside the weights; running a model needs the Hugging Face folder (config.json, weights, tokenizer files)`,
    );
  // A tensor whose header entry is broken cannot be read: say which and why, with the code validate gives it.
  const broken = files.problems.find((p) => p.code !== undefined && UNREADABLE.has(p.code));
  if (broken)
    throw new MicrogptError(
      broken.code!,
      `${path}: ${broken.where}: ${broken.message} (microgpt validate ${path} lists every problem)`,
    );
  if (files.format !== 'safetensors')
    throw new MicrogptError(
      'MG083',
      `${path}: ${files.format} weights; running a model needs safetensors weights (microgpt inspect reads GGUF)`,
    );
  const spec = readHfSpec(files.config.json, files.config.path);
  const weights = loadHfWeights(spec, files.tensors, path);
  const dir = statSync(path).isDirectory() ? path : dirname(path);
  return { model: new HfModel(spec, weights), spec, tokenizer: await loadTokenizer(dir, spec), path };
}

/**
 * The token ids to run: --ids exactly as given (nothing prepended), or the
 * text through the model's tokenizer. Every id must be in the vocabulary and
 * the whole input within `room` positions (the context, less what generation needs).
 */
export function inputIds(
  src: HfSource,
  text: string | undefined,
  ids: readonly number[] | undefined,
  room = src.spec.context,
): number[] {
  let out: number[];
  if (ids !== undefined) out = [...ids];
  else {
    if (!src.tokenizer)
      throw new MicrogptError(
        'MG085',
        `${src.path} has no tokenizer.json, so text cannot be turned into tokens; give token ids with --ids (e.g. --ids 50,1000,7)`,
      );
    out = src.tokenizer.encode(text ?? '');
  }
  if (out.length === 0) throw new MicrogptError('MG086', 'the input has no tokens; give some text or --ids');
  const bad = out.find((id) => id >= src.spec.vocab);
  if (bad !== undefined)
    throw new MicrogptError('MG086', `token id ${bad} is outside the vocabulary (ids 0..${src.spec.vocab - 1})`);
  if (out.length > room)
    throw new MicrogptError(
      'MG086',
      `the input is ${out.length} tokens; this model takes at most ${room}${room < src.spec.context ? ` here (context ${src.spec.context})` : ''}`,
    );
  return out;
}

/** How people read a token: its text piece, or its id when there is no tokenizer. */
export const tokenLabel = (src: HfSource, id: number): string => (src.tokenizer ? src.tokenizer.piece(id) : `#${id}`);
