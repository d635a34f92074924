/**
 * A Hugging Face model folder (config.json, model.safetensors or a sharded
 * index, tokenizer files) opened for running: the spec from config.json and
 * the family's contract, the weights bound by role through the contract,
 * checked against it and read in their stored precision into the compute
 * layer (src/compute: WebAssembly SIMD kernels on every core), and the tokenizer.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ComputeKind } from '../../compute/index.js';
import { acquireCompute } from '../../compute/shared.js';
import { ContractSet } from '../../contracts/index.js';
import { MicrogptError } from '../../errors.js';
import { openModelFiles } from '../../formats/open.js';
import { HfModel } from './forward.js';
import { readHfSpec } from './spec.js';
import { loadTokenizer } from './tokenizer.js';
import { F32Engine } from './engine.js';
import { loadHfWeights } from './weights.js';

/** Header defects that leave a tensor unreadable (formats/safetensors-header.ts): entry, byte span, overlap, shards. */
const UNREADABLE = new Set(['MG053', 'MG054', 'MG055', 'MG065']);

export interface LoadOptions {
  /** Threads of the kernels (default: the machine's available parallelism). */
  threads?: number;
  /** Force the kernels' implementation (tests: the JavaScript fallback); default: the best the runtime has. */
  kind?: ComputeKind;
  /** Activation bytes one batch of runVariants may take (default 256 MiB). */
  batchBytes?: number;
  /** Weight bytes kept inside the kernels' WebAssembly memory (default 3 GiB; tests: 0, the path of models beyond it). */
  residentBytes?: number;
}

/** `contracts`: the families to bind tensors through (the shipped ones unless given, e.g. with --contracts DIR). */
export async function loadHfModel(path: string, contracts?: ContractSet, opts: LoadOptions = {}): Promise<F32Engine> {
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
  const set = contracts ?? (await ContractSet.load());
  const spec = readHfSpec(
    files.config.json,
    files.config.path,
    set.families.map((f) => f.contract),
  );
  const dir = statSync(path).isDirectory() ? path : dirname(path);
  const { compute, release } = acquireCompute(opts);
  try {
    // The worker threads boot while the tokenizer loads, ready for the weights.
    compute.startThreads();
    const tokenizer = await loadTokenizer(dir, spec);
    const weights = loadHfWeights(spec, files.tensors, path, compute);
    return new F32Engine(new HfModel(spec, weights, compute), tokenizer, path, release, opts.batchBytes);
  } catch (e) {
    release();
    throw e;
  }
}
