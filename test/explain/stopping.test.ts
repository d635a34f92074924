/**
 * Long work stopped between units (Ctrl-C in the CLI) reports what it
 * finished, and what it finished is what the whole run gives for those units:
 * eval over the documents done, the head detectors over the sequences done,
 * the samples drawn so far, the logit lens over the stages read out.
 */
import { describe, expect, it } from 'vitest';
import { runSteps, runStepsWith, type Engine, type Steps } from '../../src/engine/index.js';
import { evalSteps, meanLoss } from '../../src/explain/eval.js';
import { DETECTORS, headsSteps, patternScore, repeatedSequence } from '../../src/explain/detectors.js';
import { attentionOf } from '../../src/explain/run.js';
import { sampleSteps } from '../../src/explain/sample.js';
import { labSteps, runLab, type LabReport } from '../../src/explain/lab.js';
import { LAB_DEFAULTS } from '../../src/model/lab.js';
import { traceSteps } from '../../src/explain/trace.js';
import { Gpt, MICROGPT, Tokenizer } from '../../src/model/index.js';
import { Rng } from '../../src/tensor/index.js';
import { taped } from '../helpers/engines.js';

const tok = Tokenizer.default();
const engine: Engine = taped(Gpt.init({ ...MICROGPT, nLayer: 2 }, 3), tok);

/** Runs the steps, stopping once `units` are done; progress as it was reported. */
async function stoppedAfter<T>(s: Steps<T>, units: number) {
  const seen: Array<[number, number]> = [];
  let done = 0;
  const report = await runStepsWith(s, {
    onProgress: (d, total) => {
      done = d;
      seen.push([d, total]);
    },
    shouldStop: () => done >= units,
  });
  return { report, seen };
}

describe('stopped between units, a report holds what was finished', () => {
  const docs = ['emma', 'olivia', 'ava', 'mia', 'noah'].map((n) => tok.encodeDoc(n));

  it('eval: the documents finished, scored as meanLoss scores them', async () => {
    const opts = { data: 'x', inSample: false };
    const whole = runSteps(evalSteps(engine, docs, opts));
    expect(whole).toMatchObject({ documents: 5, interrupted: false, meanLoss: meanLoss(engine, docs).loss });
    const { report, seen } = await stoppedAfter(evalSteps(engine, docs, opts), 2);
    expect(report).toMatchObject({
      documents: 2,
      interrupted: true,
      meanLoss: meanLoss(engine, docs.slice(0, 2)).loss,
    });
    expect(seen[0]).toEqual([0, 5]);
    // Stopped exactly at the end is not an interruption.
    expect((await stoppedAfter(evalSteps(engine, docs, opts), 5)).report.interrupted).toBe(false);
  });

  it('lab: stopped after 30 steps, the report is a 30-step lab marked interrupted', async () => {
    const config = { ...LAB_DEFAULTS, seed: 5 };
    const { report } = await stoppedAfter(labSteps(config, { steps: 1000, every: 20 }), 30);
    const short = runLab(config, { steps: 30, every: 20 });
    expect(report).toMatchObject({ interrupted: true, stepsRun: 30 });
    expect(short).toMatchObject({ interrupted: false, stepsRun: 30 });
    expect(report.points.map((p) => p.step)).toEqual([20, 30]);
    const figures = ({ seconds, phase, config, interrupted, ...rest }: LabReport) => ({ ...rest, phase: phase?.step });
    expect(figures(report)).toEqual(figures(short));
  });

  it('explain --heads: scores are means over the sequences finished', async () => {
    const { report } = await stoppedAfter(headsSteps(engine, 9), 1);
    expect(report.interrupted).toBe(true);
    expect(report.input.sequences).toBe(1);
    const tokens = repeatedSequence(engine, new Rng(9), report.input.half);
    expect(report.input.first).toEqual(tokens);
    const a = attentionOf(engine, tokens);
    for (const s of report.scores.slice(0, 3))
      expect(s.induction).toBeCloseTo(patternScore(a[s.layer]![s.head]!, tokens, DETECTORS[2]!.pattern), 12);
  });

  it('sample: the samples so far, the last cut where it stood', async () => {
    const opts = { n: 3, maxTokens: 6, temperature: 0.8, seed: 4, explain: true };
    const whole = runSteps(sampleSteps(engine, [tok.bos], opts));
    expect(whole.interrupted).toBe(false);
    const first = whole.samples[0]!.steps.length;
    const { report } = await stoppedAfter(sampleSteps(engine, [tok.bos], opts), opts.maxTokens + 2);
    expect(report.interrupted).toBe(true);
    expect(report.samples).toHaveLength(2);
    expect(report.samples[0]).toEqual(whole.samples[0]);
    expect(report.samples[1]!.stop).toBe('interrupted');
    expect(report.samples[1]!.steps).toEqual(whole.samples[1]!.steps.slice(0, 2));
    expect(first).toBeGreaterThan(0);
  });

  it('trace --lens: the stages read out before the stop', async () => {
    const ids = tok.encodePrompt('emma');
    const whole = runSteps(traceSteps(engine, ids, 'emma', { lens: true }));
    expect(whole.lens).toHaveLength(3);
    const { report } = await stoppedAfter(traceSteps(engine, ids, 'emma', { lens: true }), 3);
    expect(report.interrupted).toBe(true);
    expect(report.lens).toEqual(whole.lens!.slice(0, 2));
    expect(report.stages).toEqual(whole.stages);
  });
});
