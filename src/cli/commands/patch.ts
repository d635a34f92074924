/** microgpt patch: activation patching on any model — which activations carry the clean answer into a corrupted run. */
import { Option } from 'commander';
import { MicrogptError } from '../../errors.js';
import type { Engine } from '../../engine/index.js';
import { examples, type CommandModule } from '../command.js';
import type { EngineOptions } from '../engine.js';
import type { OutputOptions } from '../output.js';
import { INTERRUPTED, withWork } from '../progress.js';
import {
  contractsOption,
  familyOption,
  modelOption,
  outputOptions,
  seedOption,
  THREADS_FILE_ONLY,
  threadsOption,
} from '../presets.js';

export interface PatchOptions extends OutputOptions, EngineOptions {
  clean: string;
  corrupt: string;
  target: string;
}

export const patch: CommandModule<PatchOptions> = {
  name: 'patch',
  description:
    'activation patching: copy one head output or residual-stream position from a clean run into a corrupted one and measure how much of the clean target logit it restores',
  options: [
    modelOption(),
    threadsOption(),
    familyOption(),
    contractsOption(),
    new Option('--clean <text>', 'the input whose answer is the target').makeOptionMandatory(),
    new Option('--corrupt <text>', 'an input of the same token length that changes the answer').makeOptionMandatory(),
    new Option(
      '--target <token>',
      'the next token whose logit is measured (a character for microGPT)',
    ).makeOptionMandatory(),
    seedOption(),
    ...outputOptions(),
  ],
  help: examples([
    'microgpt patch --model m.safetensors --clean emma --corrupt emmy --target a',
    'microgpt patch --model ~/models/gpt2 --clean "The Eiffel Tower is in" --corrupt "The Colosseum is in" --target " Paris"',
  ]),
  rules: {
    fileOnly: THREADS_FILE_ONLY,
    excludes: [{ options: ['--seed', '--model'], why: '--seed makes an untrained model; --model has its weights' }],
  },
  run: ({ opts }) => runPatch(opts),
};

/** The target as one token: a character (or BOS) for microGPT, text that encodes to one token for a real model. */
async function targetToken(engine: Engine, text: string): Promise<{ id: number; label: string }> {
  const { inputIds, tokenLabel } = await import('../../engine/index.js');
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
async function runPatch(opts: PatchOptions): Promise<number> {
  const { buildPatchReport } = await import('../../explain/patching.js');
  const { renderPatchReport } = await import('../../render/patching.js');
  const [{ inputIds, tokenLabel }, { renderJson }, { openEngine }, { show }] = await Promise.all([
    import('../../engine/index.js'),
    import('../../render/json.js'),
    import('../engine.js'),
    import('../output.js'),
  ]);
  const engine = await openEngine(opts);
  const encode = (text: string) => {
    const ids = inputIds(engine, text, undefined);
    return { ids, labels: ids.map((id) => tokenLabel(engine, id)), text };
  };
  const [clean, corrupt, target] = [encode(opts.clean), encode(opts.corrupt), await targetToken(engine, opts.target)];
  const report = await withWork('patch', (work) => buildPatchReport(engine, clean, corrupt, target, { work }));
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
  return report.interrupted ? INTERRUPTED : 0;
}
