/** One definition of loss for every model: mean −ln P(next token) over every predicted token, in nats. */
import { documentWindows, runSteps, sequenceLoss, type Engine, type Hook, type Steps } from '../engine/index.js';
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
  return runSteps(evalSteps(engine, docs, opts));
}

/** meanLoss over the documents as a report, a window a unit; stopped (Ctrl-C), it scores the documents finished. */
export function evalSteps(
  engine: Engine,
  docs: readonly (readonly number[])[],
  opts: { data: string; inSample: boolean },
): Steps<EvalReport> {
  const windows = (ids: readonly number[]) => documentWindows(ids, engine.info.context).length;
  return { total: docs.reduce((n, d) => n + windows(d), 0), steps: scoring(engine, docs, opts, windows) };
}

function* scoring(
  engine: Engine,
  docs: readonly (readonly number[])[],
  opts: { data: string; inSample: boolean },
  windows: (ids: readonly number[]) => number,
): Generator<number, EvalReport, boolean> {
  // meanLoss's sums, in its order, a document at a time.
  let total = 0,
    tokens = 0,
    documents = 0,
    interrupted = false;
  for (const ids of docs) {
    const r = sequenceLoss(engine, ids);
    total += r.total;
    tokens += r.predicted;
    documents++;
    interrupted = yield windows(ids);
    if (interrupted) break;
  }
  const loss = tokens ? total / tokens : NaN;
  return {
    kind: 'eval',
    family: engine.info.family,
    weightsFrom: engine.info.weightsFrom,
    data: opts.data,
    documents,
    tokens,
    meanLoss: loss,
    unit: LOSS_UNIT,
    perplexity: Math.exp(loss),
    uniformLoss: Math.log(engine.info.vocab),
    inSample: opts.inSample,
    interrupted: interrupted && documents < docs.length,
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
