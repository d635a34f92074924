import cliProgress from 'cli-progress';
import { checkOutput, writeOutput, type OutputTarget } from '../outputs.js';
import { buildTrainReport } from '../explain/training.js';
import { TapedEngine } from '../model/taped-engine.js';
import { ContractSet } from '../contracts/index.js';
import { checkpointBytes, Gpt, resized, Tokenizer, tinyInstance, trainSteps } from '../model/index.js';
import { extraContractDirs } from './dirs.js';
import { renderJson } from '../render/json.js';
import { renderTrainReport } from '../render/training.js';
import { corpusFrom } from './corpus.js';
import { show, type OutputOptions } from './output.js';

export interface TrainCliOptions extends OutputOptions {
  data?: string;
  family?: string;
  contracts?: string[];
  steps: number;
  seed: number;
  lr: number;
  out: string | false;
  force?: boolean;
  layers?: number;
  embd?: number;
  heads?: number;
}

/** Signals that stop training after the current step, the checkpoint still written; exit 128 + the signal number. */
const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type StopSignal = keyof typeof STOP_SIGNALS;

/** How often the loop hands control back to the event loop, so Ctrl-C is noticed. */
const YIELD_MS = 20;

export async function runTrain(opts: TrainCliOptions): Promise<number> {
  const out = opts.out === false ? null : opts.out;
  const output: OutputTarget | null = out
    ? {
        path: out,
        flag: '--out',
        force: opts.force === true,
        inputs: opts.data ? [{ path: opts.data, flag: '--data' }] : [],
      }
    : null;
  const { docs, label } = corpusFrom(opts.data);
  const tokenizer = Tokenizer.fromDocs(docs);
  const contract = (await ContractSet.load(extraContractDirs(opts.contracts))).get(opts.family ?? 'microgpt');
  // Everything about the output is checked before any step, with the data and contracts read (none of them
  // may be the output): a run is never lost to a bad --out.
  if (output) checkOutput(output);
  const tiny = tinyInstance(contract, tokenizer.vocabSize);
  const architecture = tiny.architecture;
  const config = resized(tiny.config, architecture, { layers: opts.layers, embd: opts.embd, heads: opts.heads });
  const model = Gpt.init(config, opts.seed, architecture);

  // From here until the checkpoint is on disk, INT, TERM and HUP only ask the loop to stop: the
  // handlers stay installed through the (synchronous) save, so no signal can cut it short.
  const stop = { signal: null as StopSignal | null };
  const handlers = (Object.keys(STOP_SIGNALS) as StopSignal[]).map(
    (sig) => [sig, () => void (stop.signal ??= sig)] as const,
  );
  for (const [sig, h] of handlers) process.on(sig, h);
  let run;
  try {
    run = await runSteps(model, tokenizer, docs, opts, stop);
    const training = {
      family: contract.family,
      steps: run.losses.length,
      stepsRequested: opts.steps,
      seed: opts.seed,
      lr: opts.lr,
      data: label,
    };
    // The model is always at a finished step here (a failing step never updates it), so it is safe to keep.
    if (output) writeOutput(output, checkpointBytes(model, tokenizer, { training }));
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
  if (run.failure) throw run.failure;

  const engine = new TapedEngine(model, tokenizer, {
    family: contract.family,
    weightsFrom: out ?? 'the model just trained',
    trained: true,
    training: null,
  });
  const report = buildTrainReport(engine, docs, {
    ...run,
    interrupted: stop.signal !== null,
    family: contract.family,
    data: label,
    seed: opts.seed,
    lr: opts.lr,
    stepsRequested: opts.steps,
    out,
  });
  show(
    opts,
    () =>
      renderJson(
        'train',
        {
          data: label,
          steps: opts.steps,
          seed: opts.seed,
          lr: opts.lr,
          out,
          layers: config.nLayer,
          embd: config.nEmbd,
          heads: config.nHead,
        },
        report,
      ),
    (style) => renderTrainReport(report, style),
  );
  return stop.signal ? STOP_SIGNALS[stop.signal] : 0;
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
  const progress = makeProgress(opts.steps);
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
function makeProgress(total: number): Progress {
  if (process.stderr.isTTY) {
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
