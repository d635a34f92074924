/**
 * The one place a command gets its model: --model FILE|DIR and --family name
 * it, and whatever they name comes back as an Engine. Commands never ask
 * which kind of model they run.
 */
import { ContractSet } from '../contracts/index.js';
import type { Engine } from '../engine/index.js';
import { MicrogptError } from '../errors.js';
import { Gpt, loadCheckpoint, MICROGPT, Tokenizer, tinyInstance } from '../model/index.js';
import { TapedEngine } from '../model/taped-engine.js';
import { extraContractDirs } from './dirs.js';
import { trackEngine } from './opened.js';
import { safe } from '../render/escape.js';
import { checkModelKind, type Usage } from './usage.js';

export interface EngineOptions {
  model?: string;
  family?: string;
  seed: number;
  contracts?: string[];
  /** Threads of a model folder's kernels (default: the machine's available parallelism). */
  threads?: number;
  /** The command's usage: options the model turns out not to use are refused before it loads. */
  usage?: Usage;
}

/**
 * The model --model and --family name: a model folder (float32 path), a
 * checkpoint, a tiny family, or microGPT. `beforeLoad` runs once every file
 * the model is made of is known as an input of this run and before its
 * weights load (the place to refuse an output path without waiting).
 */
export async function openEngine(opts: EngineOptions, beforeLoad?: () => Promise<void>): Promise<Engine> {
  const folder = await isRealModel(opts.model);
  checkModelKind(opts.usage, folder);
  if (folder) {
    if (opts.family !== undefined)
      throw new MicrogptError('MG001', '--family makes a tiny model; a model folder knows its family (drop --family)');
    await recordModelFolderOf(opts.model!);
    await beforeLoad?.();
    const contracts = await ContractSet.load(extraContractDirs(opts.contracts));
    const { loadHfModel } = await import('../model/hf/load.js');
    return trackEngine(await loadHfModel(opts.model!, contracts, { threads: opts.threads }));
  }
  const engine = await openTaped(opts);
  await beforeLoad?.();
  return engine;
}

/** A microGPT-format model: a checkpoint written by train, or a fresh tiny model of a family (microGPT by default). */
export async function openTaped(opts: EngineOptions): Promise<TapedEngine> {
  if (opts.model !== undefined) {
    await refuseMissingModel(opts.model);
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
    return new TapedEngine(c.model, c.tokenizer, {
      family: c.family,
      weightsFrom: opts.model,
      trained: true,
      training: c.training,
    });
  }
  const tokenizer = Tokenizer.default();
  if (opts.family !== undefined) {
    const contract = (await ContractSet.load(extraContractDirs(opts.contracts))).get(opts.family);
    const { config, architecture } = tinyInstance(contract, tokenizer.vocabSize);
    const label = contract.family === 'microgpt' ? '' : `tiny ${contract.display_name}, `;
    return new TapedEngine(Gpt.init(config, opts.seed, architecture), tokenizer, {
      family: contract.family,
      weightsFrom: `random initialization (${label}seed ${opts.seed})`,
      trained: false,
      training: null,
    });
  }
  return new TapedEngine(Gpt.init(MICROGPT, opts.seed), tokenizer, {
    family: 'microgpt',
    weightsFrom: `random initialization (seed ${opts.seed})`,
    trained: false,
    training: null,
  });
}

/** A --model that is not there: said as such, not as "takes a .safetensors file" (it may have been a folder). */
export async function refuseMissingModel(
  path: string,
  takes = 'a checkpoint written by microgpt train or a model folder',
): Promise<void> {
  const { statPath } = await import('../formats/index.js');
  if (statPath(path, 'MG061') === undefined)
    throw new MicrogptError('MG061', `${path}: no such file or folder; --model takes ${takes} (check the path)`);
}

/** A safetensors file whose metadata says format "microgpt": read by the checkpoint loader, which checks every value. */
export async function isMicrogptCheckpoint(path: string): Promise<boolean> {
  const { withFile, readAt, openSafetensorsMetadata, statPath } = await import('../formats/index.js');
  if (!statPath(path, 'MG061')?.isFile()) return false;
  const head = withFile(path, (f) => readAt(f, 0, 9));
  if (head.length < 9 || head[8] !== 0x7b) return false;
  return openSafetensorsMetadata(path).get('format') === 'microgpt';
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

/**
 * Records every model file of the folder `path` names (or is in) as an input of
 * this run, read or not (the tokenizer with --ids): no output may land on one.
 * Called before loading, so an output check before long work already knows them.
 */
export async function recordModelFolderOf(path: string): Promise<void> {
  const [{ statSync }, { dirname }, { recordModelFolder }] = await Promise.all([
    import('node:fs'),
    import('node:path'),
    import('../formats/open.js'),
  ]);
  const st = statSync(path, { throwIfNoEntry: false });
  if (st) recordModelFolder(st.isDirectory() ? path : dirname(path));
}
