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
import { readHfSpec } from './spec.js';
import { loadTokenizer } from './tokenizer.js';
import { F32Engine } from './engine.js';
import { loadHfWeights } from './weights.js';

export async function loadHfModel(path: string): Promise<F32Engine> {
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
  return new F32Engine(new HfModel(spec, weights), await loadTokenizer(dir, spec), path);
}
