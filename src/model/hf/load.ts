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

export async function loadHfModel(path: string): Promise<HfSource> {
  const files = openModelFiles(path);
  if (!files.config)
    throw new MicrogptError(
      'MG083',
      `${path}: no config.json beside the weights; running a model needs the Hugging Face folder (config.json, weights, tokenizer files)`,
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
