/**
 * microgpt train: microGPT by Karpathy's recipe, or a tiny model of any
 * attention family, written as a checkpoint; Ctrl-C stops after the current
 * step and still writes it.
 */
import { Option } from 'commander';
import { RECIPE } from '../../model/recipe.js';
import type { Gpt, Tokenizer } from '../../model/index.js';
import { examples, type CommandModule } from '../command.js';
import { integerIn, numberIn } from '../options.js';
import type { OutputOptions } from '../output.js';
import {
  contractsOption,
  dataOption,
  familyOption,
  forceOption,
  outOption,
  outputOptions,
  seedOption,
} from '../presets.js';

export interface TrainCliOptions extends OutputOptions {
  data?: string;
  family?: string;
  contracts?: string[];
  steps: number;
  seed: number;
  lr: number;
  out: string | false;
  force?: boolean;
  nLayer?: number;
  nEmbd?: number;
  nHead?: number;
}

export const train: CommandModule<TrainCliOptions> = {
  name: 'train',
  description:
    "train microGPT (Karpathy's recipe: one name per step, Adam, linear lr decay), or a tiny model of any attention family with --family, and write a checkpoint",
  options: [
    dataOption(),
    familyOption(),
    contractsOption(),
    new Option('--steps <n>', 'training steps').argParser(integerIn(1, 10_000_000)).default(RECIPE.steps),
    seedOption('seed of initialization and data order'),
    new Option('--lr <rate>', 'peak learning rate (decays linearly to 0)')
      .argParser(numberIn(0, 10))
      .default(RECIPE.learningRate),
    outOption('checkpoint to write (safetensors)').default('model.safetensors'),
    new Option('--no-out', 'do not write a checkpoint'),
    forceOption('replace --out if it already exists'),
    // The names of Hugging Face's and nanoGPT's config keys (n_layer, n_embd, n_head), as the checkpoint stores them.
    new Option('--n-layer <n>', "transformer blocks (default: microGPT's 1, or the family's tiny size)").argParser(
      integerIn(1, 64),
    ),
    new Option('--n-embd <n>', 'the residual width (default 16; the MLP is 4 × n_embd)').argParser(integerIn(1, 1024)),
    new Option('--n-head <n>', 'attention heads (default 4; n_embd must divide by it)').argParser(integerIn(1, 64)),
    ...outputOptions(),
  ],
  help: examples(
    [
      'microgpt train',
      'microgpt train --steps 5000 --out m5k.safetensors',
      'microgpt train --n-layer 2 --n-embd 32 --n-head 4 --out deeper.safetensors',
      'microgpt train --data names.txt --seed 7 --json',
      'microgpt train --family llama --steps 1000 --out tiny-llama.safetensors',
    ],
    'An existing --out is replaced only with --force. Ctrl-C (or SIGTERM, SIGHUP) stops after the current step and still writes the checkpoint.',
  ),
  rules: {
    excludes: [
      { options: ['--out', '--no-out'] },
      { options: ['--force', '--no-out'], why: '--force lets --out replace a file; --no-out writes none' },
    ],
  },
  run: ({ opts }) => runTrain(opts),
};

/** Signals that stop training after the current step, the checkpoint still written; exit 128 + the signal number. */
const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type StopSignal = keyof typeof STOP_SIGNALS;

/** How often the loop hands control back to the event loop, so Ctrl-C is noticed. */
const YIELD_MS = 20;

async function runTrain(opts: TrainCliOptions): Promise<number> {
  const setup = await prepare(opts);
  const { run, stopped } = await trainAndSave(setup, opts);
  await report(setup, run, stopped, opts);
  return stopped ? STOP_SIGNALS[stopped] : 0;
}

/** The data, the tokenizer, the model to train and where it goes — all checked before any step. */
async function prepare(opts: TrainCliOptions) {
  const [{ checkOutput }, { Gpt, resized, Tokenizer, tinyInstance }, { loadContracts }, { corpusFrom }] =
    await Promise.all([
      import('../../outputs.js'),
      import('../../model/index.js'),
      import('../dirs.js'),
      import('../corpus.js'),
    ]);
  const out = opts.out === false ? null : opts.out;
  const output: import('../../outputs.js').OutputTarget | null =
    out !== null
      ? {
          path: out,
          flag: '--out',
          force: opts.force === true,
          inputs: opts.data ? [{ path: opts.data, flag: '--data' }] : [],
        }
      : null;
  const { docs, label } = corpusFrom(opts.data);
  const tokenizer = Tokenizer.fromDocs(docs);
  const contract = (await loadContracts(opts.contracts)).get(opts.family ?? 'microgpt');
  // Everything about the output is checked before any step, with the data and contracts read (none of them
  // may be the output): a run is never lost to a bad --out.
  if (output) checkOutput(output);
  const tiny = tinyInstance(contract, tokenizer.vocabSize);
  const architecture = tiny.architecture;
  const config = resized(tiny.config, architecture, { layers: opts.nLayer, embd: opts.nEmbd, heads: opts.nHead });
  const model = Gpt.init(config, opts.seed, architecture);
  return { out, output, docs, label, tokenizer, family: contract.family, config, model };
}

type Setup = Awaited<ReturnType<typeof prepare>>;

/**
 * The steps, then the checkpoint. From the first step until the checkpoint is on disk, INT, TERM and
 * HUP only ask the loop to stop: the handlers stay installed through the (synchronous) save, so no
 * signal can cut it short.
 */
async function trainAndSave(setup: Setup, opts: TrainCliOptions) {
  const [{ writeOutput }, { checkpointBytes }] = await Promise.all([
    import('../../outputs.js'),
    import('../../model/index.js'),
  ]);
  const stop = { signal: null as StopSignal | null };
  const handlers = (Object.keys(STOP_SIGNALS) as StopSignal[]).map(
    (sig) => [sig, () => void (stop.signal ??= sig)] as const,
  );
  for (const [sig, h] of handlers) process.on(sig, h);
  let run;
  try {
    run = await runSteps(setup.model, setup.tokenizer, setup.docs, opts, stop);
    const training = {
      family: setup.family,
      steps: run.losses.length,
      stepsRequested: opts.steps,
      seed: opts.seed,
      lr: opts.lr,
      data: setup.label,
    };
    // The model is always at a finished step here (a failing step never updates it), so it is safe to keep.
    if (setup.output) writeOutput(setup.output, checkpointBytes(setup.model, setup.tokenizer, { training }));
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
  if (run.failure) throw run.failure;
  return { run, stopped: stop.signal };
}

/** What was learned: the loss curve, samples, and the model's size, as text or JSON. */
async function report(
  setup: Setup,
  run: { losses: number[]; seconds: number },
  stopped: StopSignal | null,
  opts: TrainCliOptions,
) {
  const [{ buildTrainReport }, { TapedEngine }, { renderJson }, { renderTrainReport }, { show }] = await Promise.all([
    import('../../explain/training.js'),
    import('../../model/taped-engine.js'),
    import('../../render/json.js'),
    import('../../render/training.js'),
    import('../output.js'),
  ]);
  const { out, config, label, family } = setup;
  const engine = new TapedEngine(setup.model, setup.tokenizer, {
    family,
    weightsFrom: out ?? 'the model just trained',
    trained: true,
    training: null,
  });
  const report = buildTrainReport(engine, setup.docs, {
    ...run,
    interrupted: stopped !== null,
    family,
    data: label,
    seed: opts.seed,
    lr: opts.lr,
    stepsRequested: opts.steps,
    out,
  });
  const inputs = {
    data: label,
    steps: opts.steps,
    seed: opts.seed,
    lr: opts.lr,
    out,
    nLayer: config.nLayer,
    nEmbd: config.nEmbd,
    nHead: config.nHead,
  };
  show(
    opts,
    () => renderJson('train', inputs, report),
    (style) => renderTrainReport(report, style),
  );
}

/**
 * The training loop with progress: every YIELD_MS it lets the event loop run,
 * so a stop signal is seen and the loop stops after the current step.
 */
async function runSteps(
  model: Gpt,
  tokenizer: Tokenizer,
  docs: readonly string[],
  opts: TrainCliOptions,
  stop: { signal: string | null },
) {
  const { trainSteps } = await import('../../model/index.js');
  const progress = await makeProgress(opts.steps);
  const losses: number[] = [];
  const t0 = performance.now();
  let failure: unknown = null;
  try {
    let lastYield = t0;
    for (const st of trainSteps(model, tokenizer, docs, { steps: opts.steps, lr: opts.lr, seed: opts.seed })) {
      losses.push(st.loss);
      progress.update(st.step + 1, st.loss, (st.step + 1) / ((performance.now() - t0) / 1000));
      if (performance.now() - lastYield > YIELD_MS) {
        await new Promise((r) => setImmediate(r));
        lastYield = performance.now();
      }
      if (stop.signal) break;
    }
  } catch (e) {
    failure = e;
  } finally {
    progress.stop();
  }
  return { losses, seconds: (performance.now() - t0) / 1000, failure };
}

interface Progress {
  update(step: number, loss: number, stepsPerSecond: number): void;
  stop(): void;
}

/** A bar on a terminal; otherwise a line every 100 steps. Both on stderr, so stdout stays the report. */
async function makeProgress(total: number): Promise<Progress> {
  if (process.stderr.isTTY) {
    const { default: cliProgress } = await import('cli-progress');
    const bar = new cliProgress.SingleBar(
      {
        format: 'train [{bar}] {value}/{total} | loss {loss} | {sps} steps/s',
        hideCursor: true,
        clearOnComplete: true,
        stream: process.stderr,
        fps: 15,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { loss: '-', sps: '-' });
    return { update: (s, l, v) => bar.update(s, { loss: l.toFixed(4), sps: Math.round(v) }), stop: () => bar.stop() };
  }
  return {
    update: (s, l, v) => {
      if (s % 100 === 0 || s === total)
        process.stderr.write(
          `step ${String(s).padStart(String(total).length)}/${total}  loss ${l.toFixed(4)}  ${Math.round(v)} steps/s\n`,
        );
    },
    stop: () => {},
  };
}
