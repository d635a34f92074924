import type { GenerateReport, RealEvalReport } from '../explain/real-model.js';
import { counted, fixed, grouped, quoted, safe, type Style } from './style.js';

const STOPS: Record<GenerateReport['stop'], string> = {
  eos: 'the model ended the text (its end-of-sequence token)',
  'max-tokens': 'the --max-tokens limit',
  context: "the model's context is full",
};

export function renderGenerateReport(r: GenerateReport, s: Style): string {
  const how = r.greedy
    ? 'temperature 0 (greedy: the likeliest token every step)'
    : `temperature ${r.temperature}, seed ${r.seed}`;
  const pieces = (xs: ReadonlyArray<{ id: number; piece: string }>) =>
    xs.map((x) => `${quoted(x.piece)}=${x.id}`).join(' ');
  return [
    `${s.bold('Generated')} by ${safe(r.weightsFrom)} (${safe(r.family)}), ${how}; tokens from ${r.tokenizer === null ? 'the ids given' : safe(r.tokenizer)}:`,
    ...(r.text === null ? [] : ['', `  ${s.bold(safe(r.text))}`, '']),
    `Prompt (${counted(r.prompt.length, 'token')}): ${pieces(r.prompt)}`,
    `Generated (${counted(r.generated.length, 'token')}; P at temperature 1 → after the temperature):`,
    ...r.generated.map(
      (g, i) => `  ${String(i + 1).padStart(3)}. ${quoted(g.piece)}=${g.id}  ${fixed(g.p, 4)} → ${fixed(g.pT, 4)}`,
    ),
    `Stopped at ${STOPS[r.stop]}.`,
  ].join('\n');
}

export function renderRealEvalReport(r: RealEvalReport, s: Style): string {
  return [
    `Model: ${safe(r.weightsFrom)} (${safe(r.family)})`,
    `Data:  ${safe(r.data)}, ${counted(r.documents, 'document')} (one per line), ${grouped(r.tokens)} next-token predictions`,
    `Mean loss: ${s.bold(fixed(r.meanLoss, 4))} nats per token  (perplexity ${fixed(r.perplexity, 2)}; uniform guess ${fixed(r.uniformLoss, 4)})`,
  ].join('\n');
}
