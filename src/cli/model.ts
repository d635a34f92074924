import { ContractSet } from '../contracts/index.js';
import { MicrogptError } from '../errors.js';
import { Gpt, loadCheckpoint, MICROGPT, Tokenizer, tinyInstance } from '../model/index.js';
import { extraContractDirs } from './dirs.js';
import { safe } from '../render/escape.js';
import type { HfSource } from '../model/hf/load.js';

/** The model a command works on: a checkpoint, or a fresh tiny model of a family (microGPT by default) from the seed. */
export interface ModelSource {
  model: Gpt;
  tokenizer: Tokenizer;
  family: string;
  weightsFrom: string;
  training: Record<string, unknown> | null;
  trained: boolean;
}

export async function modelFrom(opts: {
  model?: string;
  seed: number;
  family?: string;
  contracts?: string[];
}): Promise<ModelSource> {
  if (opts.model !== undefined) {
    const c = loadCheckpoint(opts.model);
    // A checkpoint from another tool may give only the sizes: the defaults taken for the rest are said.
    if (c.assumed.length)
      process.stderr.write(
        `note: ${safe(opts.model)}: its config gives no ${c.assumed.map((a) => a.split(' ')[0]).join(', ')}; assumed Hugging Face's defaults ${c.assumed.join(', ')}\n`,
      );
    if (opts.family !== undefined) {
      const wanted = (await ContractSet.load(extraContractDirs(opts.contracts))).get(opts.family).family;
      if (wanted !== c.family)
        throw new MicrogptError(
          'MG001',
          `${opts.model} holds a ${c.family} model, not ${wanted}; drop --family (a checkpoint knows its family)`,
        );
    }
    return {
      model: c.model,
      tokenizer: c.tokenizer,
      family: c.family,
      weightsFrom: opts.model,
      training: c.training,
      trained: true,
    };
  }
  const tokenizer = Tokenizer.default();
  if (opts.family !== undefined) {
    const contract = (await ContractSet.load(extraContractDirs(opts.contracts))).get(opts.family);
    const { config, architecture } = tinyInstance(contract, tokenizer.vocabSize);
    const model = Gpt.init(config, opts.seed, architecture);
    const label = contract.family === 'microgpt' ? '' : `tiny ${contract.display_name}, `;
    return {
      model,
      tokenizer,
      family: contract.family,
      weightsFrom: `random initialization (${label}seed ${opts.seed})`,
      training: null,
      trained: false,
    };
  }
  return {
    model: Gpt.init(MICROGPT, opts.seed),
    tokenizer,
    family: 'microgpt',
    weightsFrom: `random initialization (seed ${opts.seed})`,
    training: null,
    trained: false,
  };
}

/** A safetensors file whose metadata says format "microgpt": read by the checkpoint loader, which checks every value. */
export async function isMicrogptCheckpoint(path: string): Promise<boolean> {
  const { withFile, readAt, openSafetensorsHeader, statPath } = await import('../formats/index.js');
  if (!statPath(path, 'MG061')?.isFile()) return false;
  const head = withFile(path, (f) => readAt(f, 0, 9));
  if (head.length < 9 || head[8] !== 0x7b) return false;
  return openSafetensorsHeader(path, false).metadata.get('format') === 'microgpt';
}

/** model.safetensors, or one shard: model-00001-of-00002.safetensors. */
const HF_WEIGHTS = /^model(-\d{5}-of-\d{5})?\.safetensors$/;

/**
 * Whether --model names a Hugging Face model to run with the float32 path: a
 * folder holding config.json, its config.json or sharded index, or its
 * model.safetensors with config.json beside it. Anything else stays
 * with the checkpoint reader, whose errors say what is wrong with the file.
 */
export async function isRealModel(path: string | undefined): Promise<boolean> {
  if (path === undefined) return false;
  const { existsSync } = await import('node:fs');
  const { basename, dirname, join } = await import('node:path');
  const { statPath } = await import('../formats/index.js');
  const st = statPath(path, 'MG061');
  if (!st) return false;
  // A folder is never a checkpoint: the folder reader says what it lacks (config.json, weights).
  if (st.isDirectory()) return true;
  if (!st.isFile()) return false;
  if (basename(path) === 'config.json' || path.endsWith('.safetensors.index.json')) return true;
  // GGUF, told by its magic: the folder reader says that it does not run yet (not a safetensors length error).
  const { withFile, readAt } = await import('../formats/index.js');
  try {
    if (withFile(path, (f) => readAt(f, 0, 4)).toString('latin1') === 'GGUF') return true;
  } catch {
    return false; // unreadable: the checkpoint reader says why
  }
  // A single file of a download keeps transformers' name; any other file is read as a checkpoint.
  return HF_WEIGHTS.test(basename(path)) && existsSync(join(dirname(path), 'config.json'));
}

/** A Hugging Face model folder for a command to run; `--family` (which makes a tiny model) makes no sense with one. */
export async function modelFolder(opts: { model?: string; family?: string }): Promise<HfSource> {
  if (opts.family !== undefined)
    throw new MicrogptError('MG001', '--family makes a tiny model; a model folder knows its family (drop --family)');
  return (await import('../model/hf/load.js')).loadHfModel(opts.model!);
}
