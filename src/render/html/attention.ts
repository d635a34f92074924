/**
 * explain --attention --html. A small input on a few heads (microGPT's page)
 * shows each head as a table with its weights printed and read exactly under
 * the pointer; anything larger is the model view (model-view.ts).
 */
import type { AttentionReport } from '../../explain/attention.js';
import type { MaskReport } from '../../explain/mask.js';
import { headName } from '../heads.js';
import { counted } from '../style.js';
import { modelViewHtml, MODEL_VIEW_SCRIPT, MODEL_VIEW_STYLE } from './model-view.js';
import { escapeHtml as e, page } from './page.js';
import { architectureHtml, headSummaryHtml, invariantsHtml, maskHtml } from './sections.js';
import { legendHtml, tableHeatmap, TABLE_HEATMAP_STYLE, TABLE_HOVER_SCRIPT } from './table-heatmap.js';

/** At most this many heads (and a non-compact input) and every head is a full-size table. */
const TABLE_HEADS = 4;

export function renderAttentionHtml(r: AttentionReport, mask: MaskReport): string {
  const labels = r.tokens.map((t) => t.label);
  const tables = r.headsShown <= TABLE_HEADS && !r.compact;
  const heads = tables
    ? `<div class="heads">${r.layers
        .flatMap((l) =>
          l.heads.map((h) =>
            tableHeatmap(
              headName(l.layer, h.head, r.model.layers > 1),
              h.rows.map((x) => x.weights),
              labels,
              { notes: h.rows.map((x) => x.note) },
            ),
          ),
        )
        .join('')}</div>`
    : modelViewHtml(r);
  // Token ids given with --ids have no text.
  const input = r.text ? `"${r.text}"` : counted(r.tokens.length, 'token');
  const shape = `${counted(r.model.layers, 'layer')} × ${counted(r.model.heads, 'head')}`;
  const intro = tables
    ? `<p>Tokens [${labels.map(e).join(', ')}], weights from ${e(r.weightsFrom)}.</p>`
    : `<p>${shape} on ${counted(r.tokens.length, 'token')}${r.headsShown < r.model.layers * r.model.heads ? ` (${counted(r.headsShown, 'head')} shown, selected with --heads/--layer)` : ''}; weights from ${e(r.weightsFrom)}.</p>`;
  return page(
    tables
      ? `microgpt: attention on ${input}`
      : `microgpt: attention of ${r.architecture.family} (${shape}) on ${input}`,
    [
      intro,
      // The model view's point is its heads: they come first, the architecture after them.
      ...(tables ? [architectureHtml(r.architecture)] : []),
      `<h2>Attention weights</h2><p class="mono">${e(r.equation)}</p>${legendHtml()}${heads}`,
      ...(tables ? [] : [architectureHtml(r.architecture)]),
      invariantsHtml(r.invariants),
      maskHtml(mask),
      r.headSummary ? headSummaryHtml(r.headSummary) : '',
    ].join('\n'),
    {
      hover: tables
        ? 'Point at a cell to read its value.'
        : 'Point at a head to read a weight; click it to enlarge it.',
      wide: !tables,
      style: TABLE_HEATMAP_STYLE + (tables ? '' : MODEL_VIEW_STYLE),
      script: TABLE_HOVER_SCRIPT + (tables ? '' : MODEL_VIEW_SCRIPT),
    },
  );
}
