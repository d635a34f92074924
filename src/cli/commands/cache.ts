/**
 * microgpt cache: one run's activations saved as a safetensors file, every
 * hook point (or those --names matches) as a float32 tensor named by its hook
 * name — TransformerLens's run_with_cache, for analysis in other tools. The
 * size is known before anything runs; a run that would not fit in memory or
 * on disk is refused with the figure.
 */
import { statfsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { Argument, Option } from 'commander';
import { MicrogptError } from '../../errors.js';
import { examples, type CommandModule } from '../command.js';
import type { EngineOptions } from '../engine.js';
import type { OutputOptions } from '../output.js';
import {
  contractsOption,
  familyOption,
  forceOption,
  idsOption,
  modelOption,
  namesOption,
  outOption,
  outputOptions,
  seedOption,
  THREADS_FILE_ONLY,
  threadsOption,
} from '../presets.js';

export interface CacheOptions extends OutputOptions, EngineOptions {
  ids?: number[];
  out?: string;
  names?: string[];
  list?: boolean;
  force?: boolean;
}

export const cache: CommandModule<CacheOptions> = {
  name: 'cache',
  description:
    "save one run's activations: every hook point (TransformerLens names and shapes) as a float32 tensor in a safetensors file",
  args: [new Argument('[text]', 'the input (microGPT: a name; a model folder: any text through its tokenizer)')],
  options: [
    idsOption('the input as token ids, used exactly as given'),
    modelOption(),
    threadsOption(),
    familyOption(),
    contractsOption(),
    outOption('the safetensors file to write'),
    namesOption(),
    new Option('--list', 'print the hook names and shapes without running or writing'),
    forceOption('replace --out if it already exists'),
    seedOption(),
    ...outputOptions(),
  ],
  help: examples(
    [
      "microgpt cache --list                                   microGPT's hook points and their axes",
      'microgpt cache emma --model m.safetensors --out emma.safetensors',
      'microgpt cache "the cat sat" --model ~/models/gpt2 --out acts.safetensors --names "blocks.*.attn.hook_pattern"',
      'microgpt cache --ids 50,1000,7 --model ~/models/gpt2 --names "*resid_post" --out resid.safetensors',
    ],
    'In Python: safetensors.numpy.load_file("acts.safetensors")["blocks.0.attn.hook_pattern"] has shape\n[1, head, query_pos, key_pos], as TransformerLens\'s cache; the tokens and ids are in the file\'s metadata.',
  ),
  rules: {
    fileOnly: THREADS_FILE_ONLY,
    excludes: [
      { options: ['TEXT', '--ids'], what: 'the input' },
      { options: ['--list', '--out'], why: '--list only prints the hook points' },
      { options: ['--list', '--force'], why: '--list only prints the hook points' },
      { options: ['--seed', '--model'], why: '--seed makes an untrained model; --model has its weights' },
    ],
    needs: { '--force': { with: ['--out'], why: 'it lets --out replace a file' } },
    requires: [
      {
        anyOf: ['--out', '--list'],
        hint: 'cache writes a file: give --out FILE.safetensors (or --list to see the hook points)',
      },
      {
        anyOf: ['TEXT', '--ids'],
        unless: '--list',
        hint: 'cache runs the model on an input: give TEXT or --ids 50,1000,7',
      },
    ],
  },
  run: ({ args, opts }) => runCacheCommand(args[0] as string | undefined, opts),
};

/** Memory a cache run needs per byte written: the values kept as computed, the float32 copy, the file image. */
const MEMORY_PER_BYTE = 3;
/** Share of the machine's memory a cache may take. */
const MEMORY_SHARE = 0.75;

async function runCacheCommand(text: string | undefined, opts: CacheOptions): Promise<number> {
  const [
    { buildCacheReport, planCache, runCache },
    { globMatcher, inputIds },
    { serialize },
    { renderJson },
    { renderCacheReport },
    { checkOutput, writeOutput },
    { openEngine },
    { show },
  ] = await Promise.all([
    import('../../explain/cache.js'),
    import('../../engine/index.js'),
    import('../../model/safetensors.js'),
    import('../../render/json.js'),
    import('../../render/cache.js'),
    import('../../outputs.js'),
    import('../engine.js'),
    import('../output.js'),
  ]);
  const out: import('../../outputs.js').OutputTarget | null =
    opts.out !== undefined
      ? {
          path: opts.out,
          flag: '--out',
          force: opts.force === true,
          inputs: opts.model !== undefined ? [{ path: opts.model, flag: '--model' }] : [],
        }
      : null;
  const engine = await openEngine(opts, async () => {
    if (out) checkOutput(out);
  });
  const patterns = opts.names ?? [];
  const match = patterns.length ? globMatcher(patterns) : () => true;
  const given = text !== undefined || opts.ids !== undefined;
  const ids = given ? inputIds(engine, text, opts.ids) : [];
  const plan = planCache(engine, ids.length, match);
  if (plan.points.length === 0)
    throw new MicrogptError(
      'MG111',
      `no hook point matches ${patterns.map((p) => `"${p}"`).join(', ')}; microgpt cache --list --model … shows them (* matches any characters)`,
    );
  if (out) checkRoom(plan.bytes, out.path);
  const report = buildCacheReport(engine, ids, plan, {
    text: text ?? null,
    out: opts.list ? null : (opts.out ?? null),
    patterns,
    listed: !given,
  });
  if (out) {
    const tensors = runCache(engine, ids, match).map((t) => ({ name: t.name, shape: t.shape, data: t.values }));
    const metadata = {
      format: 'microgpt-cache',
      family: engine.info.family,
      model: engine.info.weightsFrom,
      text: text ?? '',
      ids: JSON.stringify(ids),
      tokens: JSON.stringify(report.tokens.map((t) => t.label)),
    };
    writeOutput(out, serialize(tensors, metadata, 'F32'));
    if (!opts.json) process.stderr.write(`wrote ${plan.points.length} hook points to ${opts.out}\n`);
  }
  const inputs = {
    text: text ?? null,
    ids: opts.ids ?? null,
    model: opts.model ?? null,
    family: opts.family ?? null,
    names: patterns,
    list: opts.list === true,
    out: opts.out ?? null,
  };
  show(
    opts,
    () => renderJson('cache', inputs, report),
    (style) => renderCacheReport(report, style),
  );
  return 0;
}

/** Refuses a cache that would not fit in memory or on the disk it goes to, with the figures. */
export function checkRoom(
  bytes: number,
  path: string,
  memory = totalmem() * MEMORY_SHARE,
  free = freeBytes(path),
): void {
  if (bytes * MEMORY_PER_BYTE > memory)
    throw new MicrogptError(
      'MG112',
      `the cache is ${mib(bytes)} of float32 values and needs about ${mib(bytes * MEMORY_PER_BYTE)} of memory to write; this machine allows ${mib(memory)}: save fewer points with --names or a shorter input`,
    );
  if (free !== null && bytes > free)
    throw new MicrogptError(
      'MG112',
      `the cache is ${mib(bytes)}; the disk under ${dirname(resolve(path))} has ${mib(free)} free: save fewer points with --names or a shorter input`,
    );
}

/** Free bytes on the disk a file would go to; null when the folder cannot be asked (its own error comes at writing). */
function freeBytes(path: string): number | null {
  try {
    const fs = statfsSync(dirname(resolve(path)));
    return fs.bavail * fs.bsize;
  } catch {
    return null;
  }
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
