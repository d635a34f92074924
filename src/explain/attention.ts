import { MicrogptError } from '../errors.js';
import { tokenLabel, type Engine } from '../engine/index.js';
import { attentionOf, tinyModelOf } from './run.js';
import { compareRow, describeRow } from './annotate.js';
import { architectureReport, type ArchitectureReport } from './architecture.js';
import { buildDifferences, type DifferencesReport } from './differences.js';
import { FIRST_SCORED_POSITION, LIFT, summarizeHeads, type HeadSummaryReport } from './heads.js';
import { checkInvariants, type InvariantResult } from './invariants.js';
import { attentionEquation, attentionTerms, type KernelChoice } from './formulas.js';
import type { Static } from '@sinclair/typebox';
import type { AttentionReportSchema, AttentionRowSchema } from './schema.js';

export type AttentionRow = Static<typeof AttentionRowSchema>;

export type AttentionReport = Static<typeof AttentionReportSchema>;

/**
 * Runs the model on [BOS, text…] and reads off every head's weights, a note per
 * row computed from the weights, and the invariants checked on those weights.
 */
export interface HeadSelection {
  /** Heads to show: `layer` null is that head in every layer. */
  heads?: ReadonlyArray<{ layer: number | null; head: number }>;
  layer?: number;
}

const layersText = (layers: number) => (layers === 1 ? 'layer 0' : `layers 0..${layers - 1}`);

/** Checks --heads and --layer against the model: a head or layer that does not exist is a usage error. */
export function checkSelection(sel: HeadSelection, layers: number, heads: number): void {
  for (const layer of [sel.layer, ...(sel.heads ?? []).map((r) => r.layer)])
    if (layer !== undefined && layer !== null && (layer < 0 || layer >= layers))
      throw new MicrogptError('MG005', `layer ${layer} does not exist; the model has ${layersText(layers)}`);
  const bad = sel.heads?.find((r) => r.head < 0 || r.head >= heads);
  if (bad !== undefined)
    throw new MicrogptError('MG005', `head ${bad.head} does not exist; the model has heads 0..${heads - 1}`);
}

/** Whether the selection shows head `head` of layer `layer`. */
const shows = (sel: HeadSelection, layer: number, head: number) =>
  (sel.layer === undefined || sel.layer === layer) &&
  (!sel.heads || sel.heads.some((r) => r.head === head && (r.layer === null || r.layer === layer)));

/** Keys listed per query in the compact view. */
export const TOP_KEYS = 3;
/** Inputs longer than this are shown compactly: full rows of more weights do not fit a line. */
export const COMPACT_AFTER = 16;

/**
 * A query's strongest visible keys, strongest first (earlier position first
 * among equals): one pass keeping the best TOP_KEYS, as a sort of every key
 * would order them (weights are finite here; a row that is not is sorted).
 */
export function strongest(weights: readonly number[], i: number): Array<{ pos: number; weight: number }> {
  const best: Array<{ pos: number; weight: number }> = [];
  for (let pos = 0; pos <= i && pos < weights.length; pos++) {
    const weight = weights[pos]!;
    if (!Number.isFinite(weight)) return strongestBySort(weights, i);
    if (best.length === TOP_KEYS && !(weight > best[TOP_KEYS - 1]!.weight)) continue;
    let at = best.length;
    while (at > 0 && weight > best[at - 1]!.weight) at--;
    best.splice(at, 0, { pos, weight });
    if (best.length > TOP_KEYS) best.pop();
  }
  return best;
}

/** The same by sorting every visible key: the reference `strongest` must equal. */
export function strongestBySort(weights: readonly number[], i: number): Array<{ pos: number; weight: number }> {
  return weights
    .slice(0, i + 1)
    .map((weight, pos) => ({ pos, weight }))
    .sort((a, b) => b.weight - a.weight || a.pos - b.pos)
    .slice(0, TOP_KEYS);
}

/** What any attention report is made from: a model's weights on one input, and what the model is. */
export interface AttentionRun {
  text: string;
  seed: number;
  weightsFrom: string;
  architecture: ArchitectureReport;
  kernels: KernelChoice;
  ids: readonly number[];
  labels: readonly string[];
  attention: number[][][][];
  select: HeadSelection;
}

/** The report of one run, whichever engine ran it (the taped one, or the float32 path for real checkpoints). */
export function attentionReport(
  run: AttentionRun,
  extra: Pick<AttentionReport, 'differences' | 'headSummary'> = { differences: null, headSummary: null },
): AttentionReport {
  const { attention, labels, select: sel } = run;
  const invariants = checkInvariants(attention, labels[0]);
  const layers = attention
    .map((heads, layer) => ({
      layer,
      heads: heads
        .map((rows, h) => ({
          head: h,
          rows: rows.map((weights, i) => ({
            pos: i,
            weights,
            note:
              h === 0
                ? describeRow(weights, i, labels)
                : (compareRow(heads, h, i, labels) ?? (i === 0 ? null : describeRow(weights, i, labels))),
            top: strongest(weights, i),
          })),
        }))
        .filter((h) => shows(sel, layer, h.head)),
    }))
    .filter((l) => l.heads.length > 0);
  return {
    kind: 'attention',
    text: run.text,
    seed: run.seed,
    weightsFrom: run.weightsFrom,
    architecture: run.architecture,
    equation: attentionEquation(run.kernels),
    equationTerms: attentionTerms(run.kernels),
    tokens: run.ids.map((id, pos) => ({ pos, id, label: labels[pos]! })),
    model: { layers: run.architecture.layers, heads: run.architecture.heads },
    compact: run.ids.length > COMPACT_AFTER,
    headsShown: layers.reduce((n, l) => n + l.heads.length, 0),
    layers,
    invariants,
    allInvariantsHold: invariants.every((r) => r.holds),
    ...extra,
  };
}

/**
 * Any engine's attention on the given ids: every layer and head, with the
 * invariants checked on all of them; for a tiny family, how it differs from
 * microGPT; for a trained character model, what each head does over `probe`.
 */
export function buildAttentionReport(
  engine: Engine,
  ids: readonly number[],
  opts: { text: string; seed: number; probe?: readonly string[]; select?: HeadSelection },
): AttentionReport {
  const sel = opts.select ?? {};
  checkSelection(sel, engine.info.layers, engine.info.heads);
  const tiny = tinyModelOf(engine);
  return attentionReport(
    {
      text: opts.text,
      seed: opts.seed,
      weightsFrom: engine.info.weightsFrom,
      architecture: architectureReport(engine.info),
      kernels: engine.info.kernels,
      ids,
      labels: ids.map((id) => tokenLabel(engine, id)),
      attention: attentionOf(engine, ids),
      select: sel,
    },
    {
      differences: tiny ? buildDifferences(tiny.architecture, tiny.config, ids.length) : null,
      headSummary: opts.probe?.length
        ? {
            probeSize: opts.probe.length,
            fromPosition: FIRST_SCORED_POSITION,
            lift: LIFT,
            heads: summarizeHeads(engine, opts.probe),
          }
        : null,
    },
  );
}
