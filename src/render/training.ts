import asciichart from 'asciichart';
import type { TrainReport } from '../explain/training.js';
import type { EvalReport } from '../explain/eval.js';
import type { SampleReport } from '../explain/sample.js';
import { packItems } from './columns.js';
import { probability } from './numbers.js';
import { counted, fixed, grouped, quoted, safe, type Style } from './style.js';

export function renderTrainReport(r: TrainReport, s: Style): string {
  const chart =
    r.curve.values.length > 1
      ? asciichart
          .plot(r.curve.values, { height: 10, format: (x: number) => fixed(x, 2).padStart(6) })
          .split('\n')
          .map((l) => l.trimEnd())
          .join('\n')
      : '';
  return [
    r.interrupted
      ? s.yellow(`Interrupted after ${grouped(r.stepsDone)} of ${grouped(r.stepsRequested)} steps.`)
      : `Trained ${r.family === 'microgpt' ? '' : `a tiny ${safe(r.family)} model, `}${grouped(r.stepsDone)} steps on ${grouped(r.documents)} names from ${safe(r.data)}, seed ${r.seed}, lr ${r.lr}.`,
    `Model: ${counted(r.size.layers, 'layer')}, n_embd ${r.size.embd}, ${counted(r.size.heads, 'head')}${r.size.kvHeads !== r.size.heads ? ` (${r.size.kvHeads} K/V)` : ''}, ${grouped(r.size.parameters)} parameters`,
    chart
      ? `${s.bold('Loss')} per step (mean −ln P(next token) over the step's name, in nats; each point the mean of ${r.curve.bucket} steps):\n${chart}`
      : '',
    `Loss, last ${grouped(r.recentWindow)} steps:  ${fixed(r.recentLoss, 4)}`,
    `Mean loss over the corpus: ${s.bold(fixed(r.corpusLoss, 4))} nats per predicted token, as eval computes it (uniform guess: ln ${r.vocabSize} = ${fixed(r.uniformLoss, 4)})`,
    `Time: ${fixed(r.seconds, 3)} s, ${grouped(Math.round(r.stepsPerSecond))} steps/s`,
    r.out ? `Checkpoint: ${safe(r.out)}` : 'No checkpoint written (--out to keep one).',
    `Samples (temperature ${r.samplesTemperature}): ${r.samples.map(safe).join(', ')}`,
  ]
    .filter(Boolean)
    .join('\n');
}

export function renderEvalReport(r: EvalReport, s: Style): string {
  const names = r.inSample ? ' — the corpus this model was trained on: an in-sample score, not a held-out one' : '';
  return [
    `Model: ${safe(r.weightsFrom)} (${safe(r.family)})`,
    `Data:  ${safe(r.data)}, ${counted(r.documents, 'document')}, ${grouped(r.tokens)} next-token predictions${names}`,
    `Mean loss: ${s.bold(fixed(r.meanLoss, 4))} ${safe(r.unit)}`,
    `  perplexity ${fixed(r.perplexity, 2)}; uniform guess ln ${grouped(Math.round(Math.exp(r.uniformLoss)))} = ${fixed(r.uniformLoss, 4)}`,
    ...(r.interrupted
      ? [s.yellow(`Interrupted (Ctrl-C): the figures are of the ${counted(r.documents, 'document')} finished.`)]
      : []),
  ].join('\n');
}

const STOPS: Record<SampleReport['samples'][number]['stop'], string> = {
  eos: 'the model ended the text (its end-of-sequence token)',
  'max-tokens': 'the --max-tokens limit',
  context: "the model's context is full",
  interrupted: 'Ctrl-C',
};

export function renderSampleReport(r: SampleReport, s: Style): string {
  const text = r.names ? renderNames(r, s) : renderContinuations(r, s);
  return r.interrupted
    ? `${text}\n${s.yellow('Interrupted (Ctrl-C): the samples drawn so far, the last one cut where it stood.')}`
    : text;
}

/** microGPT's names: one per line, or with --explain every step's candidates. */
function renderNames(r: SampleReport, s: Style): string {
  const how = r.greedy
    ? 'temperature 0 (greedy: the likeliest token every step, so every name is the same)'
    : `temperature ${r.temperature}, seed ${r.seed}`;
  const head = `${counted(r.samples.length, 'name')} from ${safe(r.weightsFrom)}, ${how}:`;
  if (!r.explain) return [head, ...r.samples.map((n) => `  ${safe(n.text ?? '') || s.dim('(empty)')}`)].join('\n');
  // Each candidate is kept whole: a step's candidates are packed into the width, continuing under the first.
  const lead = '    pos 00: ';
  const room = Math.max(1, s.width - lead.length);
  const blocks = r.samples.map((n, k) => {
    const lines = n.steps.flatMap((st) => {
      const cands = st.top.map((c) => {
        const text = `${safe(c.label)} ${probability(c.p)}→${probability(c.pT)}`;
        return c.id === st.chosen.id ? s.bold.green(`[${text}]`) : text;
      });
      if (!st.top.some((c) => c.id === st.chosen.id))
        cands.push(`drew ${safe(st.chosen.label)} ${probability(st.chosen.p)}→${probability(st.chosen.pT)}`);
      const [first, ...rest] = packItems(cands, room, '  ');
      return [`    pos ${String(st.pos).padStart(2)}: ${first}`, ...rest.map((l) => ' '.repeat(lead.length) + l)];
    });
    return [`  ${k + 1}. ${s.bold(safe(n.text ?? '') || '(empty)')}`, ...lines].join('\n');
  });
  return [
    head,
    `  (each step: top candidates with P at temperature 1 → P after temperature; [drawn]; drawing ${safe(r.endToken ?? '')} ends the name)`,
    ...blocks,
  ].join('\n');
}

/** A text model's continuations of the prompt, each token with its probability. */
function renderContinuations(r: SampleReport, s: Style): string {
  const how = r.greedy
    ? 'temperature 0 (greedy: the likeliest token every step)'
    : `temperature ${r.temperature}, seed ${r.seed}`;
  const pieces = (xs: ReadonlyArray<{ id: number; label: string }>) =>
    xs.map((x) => `${quoted(x.label)}=${x.id}`).join(' ');
  const samples = r.samples.map((g, k) => [
    ...(r.samples.length > 1 ? [`${s.bold(`Sample ${k + 1}`)}:`] : []),
    ...(g.text === null ? [] : ['', `  ${s.bold(safe(g.text))}`, '']),
    `Generated (${counted(g.steps.length, 'token')}; P at temperature 1 → after the temperature):`,
    ...g.steps.map(
      (st, i) =>
        `  ${String(i + 1).padStart(3)}. ${quoted(st.chosen.label)}=${st.chosen.id}  ${probability(st.chosen.p)} → ${probability(st.chosen.pT)}`,
    ),
    `Stopped ${g.stop === 'interrupted' ? 'by' : 'at'} ${STOPS[g.stop]}.`,
  ]);
  return [
    `${s.bold('Generated')} by ${safe(r.weightsFrom)} (${safe(r.family)}), ${how}; tokens from ${r.tokenizer === null ? 'the ids given' : safe(r.tokenizer)}:`,
    `Prompt (${counted(r.prompt.length, 'token')}): ${pieces(r.prompt)}`,
    ...samples.flat(),
  ].join('\n');
}
