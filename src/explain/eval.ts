/** One definition of loss for every model: mean −ln P(next token) over every predicted token, in nats. */
import { sequenceLoss, type Engine, type Hook } from '../engine/index.js';
import { MicrogptError } from '../errors.js';
import type { Static } from '@sinclair/typebox';
import type { EvalReportSchema } from './schema.js';

export type EvalReport = Static<typeof EvalReportSchema>;

export const LOSS_UNIT = 'nats per predicted token (mean −ln P(next token))';

/** The mean next-token loss over documents (token ids, each scored in windows of the context). */
export function meanLoss(
  engine: Engine,
  docs: readonly (readonly number[])[],
  hooks?: readonly Hook[],
): { loss: number; tokens: number } {
  let total = 0,
    tokens = 0;
  for (const ids of docs) {
    const r = sequenceLoss(engine, ids, { hooks });
    total += r.total;
    tokens += r.predicted;
  }
  return { loss: tokens ? total / tokens : NaN, tokens };
}

export function buildEvalReport(
  engine: Engine,
  docs: readonly (readonly number[])[],
  opts: { data: string; inSample: boolean },
): EvalReport {
  const { loss, tokens } = meanLoss(engine, docs);
  return {
    kind: 'eval',
    family: engine.info.family,
    weightsFrom: engine.info.weightsFrom,
    data: opts.data,
    documents: docs.length,
    tokens,
    meanLoss: loss,
    unit: LOSS_UNIT,
    perplexity: Math.exp(loss),
    uniformLoss: Math.log(engine.info.vocab),
    inSample: opts.inSample,
  };
}

/**
 * Documents as the model scores them (microGPT: [BOS, chars…, BOS]). Texts the
 * tokenizer cannot encode (characters outside a character model's vocabulary)
 * are counted and named in one error, not found one by one.
 */
export function encodeDocuments(engine: Engine, texts: readonly string[], data: string): number[][] {
  const tok = engine.tokenizer;
  if (!tok)
    throw new MicrogptError(
      'MG085',
      `${engine.info.weightsFrom} has no tokenizer.json, so the text in ${data} cannot be turned into tokens`,
    );
  const docs: number[][] = [];
  let bad = 0,
    first: string | null = null;
  for (const t of texts) {
    try {
      docs.push(tok.document(t));
    } catch (e) {
      if (!(e instanceof MicrogptError)) throw e;
      bad++;
      first ??= e.message;
    }
  }
  if (bad)
    throw new MicrogptError(
      'MG043',
      `${data}: ${bad} of ${texts.length} documents cannot be encoded for this model; the first: ${first}`,
    );
  return docs;
}
