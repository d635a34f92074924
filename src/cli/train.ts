import cliProgress from 'cli-progress';
import { assertWritable } from '../fsutil.js';
import { buildTrainReport } from '../explain/training.js';
import { ContractSet } from '../contracts/index.js';
import { Gpt, saveCheckpoint, Tokenizer, tinyInstance, trainSteps } from '../model/index.js';
import { extraContractDirs } from './dirs.js';
import { renderJson } from '../render/json.js';
import { renderTrainReport } from '../render/training.js';
import { corpusFrom } from './corpus.js';
import { print, stdoutStyle, type OutputOptions } from './output.js';

export interface TrainCliOptions extends OutputOptions {
  data?: string;
  family?: string;
  contracts?: string[];
  steps: number;
  seed: number;
  lr: number;
  out: string | false;
}

/** How often the loop hands control back to the event loop, so Ctrl-C is noticed. */
const YIELD_MS = 20;

export async function runTrain(opts: TrainCliOptions): Promise<number> {
  const { docs, label } = corpusFrom(opts.data);
  const tokenizer = Tokenizer.fromDocs(docs);
  const contract = (await ContractSet.load(extraContractDirs(opts.contracts))).get(opts.family ?? 'microgpt');
  const { config, architecture } = tinyInstance(contract, tokenizer.vocabSize);
  const model = Gpt.init(config, opts.seed, architecture);
  const out = opts.out === false ? null : opts.out;
  if (out) assertWritable(out);

  const run = await runSteps(model, tokenizer, docs, opts);
  const training = { family: contract.family, steps: run.losses.length, stepsRequested: opts.steps, seed: opts.seed, lr: opts.lr, data: label };
  // The model is always at a finished step here (a failing step never updates it), so it is safe to keep.
  if (out) saveCheckpoint(out, model, tokenizer, { training });
  if (run.failure) throw run.failure;

  const report = buildTrainReport(model, tokenizer, docs, { ...run, family: contract.family, data: label, seed: opts.seed, lr: opts.lr, stepsRequested: opts.steps, out });
  print(opts.json ? renderJson('train', { data: label, steps: opts.steps, seed: opts.seed, lr: opts.lr, out }, report) : renderTrainReport(report, stdoutStyle(opts)));
  return run.interrupted ? 130 : 0;
}

/**
 * The training loop with progress and Ctrl-C: every YIELD_MS it lets the event
 * loop run, so a SIGINT is seen and the loop stops after the current step.
 */
async function runSteps(model: Gpt, tokenizer: Tokenizer, docs: readonly string[], opts: TrainCliOptions) {
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
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
      if (interrupted) break;
    }
  } catch (e) {
    failure = e;
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
  }
  return { losses, seconds: (performance.now() - t0) / 1000, interrupted, failure };
}

interface Progress {
  update(step: number, loss: number, stepsPerSecond: number): void;
  stop(): void;
}

/** A bar on a terminal; otherwise a line every 100 steps. Both on stderr, so stdout stays the report. */
function makeProgress(total: number): Progress {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: 'train [{bar}] {value}/{total} | loss {loss} | {sps} steps/s', hideCursor: true, clearOnComplete: true, stream: process.stderr, fps: 15 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { loss: '-', sps: '-' });
    return { update: (s, l, v) => bar.update(s, { loss: l.toFixed(4), sps: Math.round(v) }), stop: () => bar.stop() };
  }
  return {
    update: (s, l, v) => {
      if (s % 100 === 0 || s === total) process.stderr.write(`step ${String(s).padStart(String(total).length)}/${total}  loss ${l.toFixed(4)}  ${Math.round(v)} steps/s\n`);
    },
    stop: () => {},
  };
}
