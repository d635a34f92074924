/**
 * An attention matrix as an HTML table: one cell per (query, key), coloured by
 * weight, the exact weight read under the pointer. For small matrices (microGPT's
 * names, the lab's sequence); the model view draws large ones on canvases.
 */
import { css, RAMP_STOPS, sequential, textOn } from '../colors.js';
import { fixed } from '../style.js';
import { escapeHtml as e } from './page.js';

export const TABLE_HEATMAP_STYLE = `
.heads{display:flex;flex-wrap:wrap;gap:1.5rem}
.heads figure{margin:0}
.heatmap{border-collapse:collapse;font:12px ui-monospace,Menlo,monospace}
.heatmap th{font-weight:normal;padding:2px 4px;color:#555}
.heatmap td{width:34px;height:28px;text-align:center;border:1px solid #fff}
.heatmap.small td{width:22px;height:22px;font-size:0}
.heatmap.small th{font-size:11px;padding:1px 3px}
.heatmap td.masked{background:#f3f3f3;color:#bbb}
.heatmap td.cell:hover{outline:2px solid #000}
.heatmap td.note{width:auto;text-align:left;padding-left:.6rem;color:#555;font-family:system-ui,sans-serif}
`;

/**
 * Points the sticky #hover line at the table cell under the pointer: its own
 * label, or a heatmap's title with the row's and the column's token and position.
 */
export const TABLE_HOVER_SCRIPT = `
(() => {
  const hover = document.getElementById('hover');
  document.addEventListener('mouseover', (ev) => {
    const td = ev.target.closest && ev.target.closest('td[data-value]');
    if (!td) return;
    const table = td.closest('table[data-heatmap]');
    const tr = td.parentElement;
    const q = tr.rowIndex - 1, key = td.cellIndex - 1;
    const label = td.dataset.label ?? table.dataset.heatmap + ': ' + tr.cells[0].textContent + ' (pos ' + q + ') → ' + table.rows[0].cells[key + 1].textContent + ' (pos ' + key + ')';
    hover.textContent = label + ' = ' + td.dataset.value;
  });
})();
`;

export interface TableHeatmapOptions {
  /** Per-row notes printed at the right (microGPT's page). */
  notes?: ReadonlyArray<string | null>;
  /** Small cells with no numbers in them (read them under the pointer). */
  small?: boolean;
}

/** rows[q][key]: the weights; masked cells (key > q) are grey and read "masked". */
export function tableHeatmap(
  title: string,
  rows: readonly (readonly number[])[],
  labels: readonly string[],
  opts: TableHeatmapOptions = {},
): string {
  const head = `<tr><th></th>${labels.map((l) => `<th>${e(l)}</th>`).join('')}</tr>`;
  const body = rows
    .map((row, i) => {
      const cells = row
        .map((w, j) => {
          // The hover script names the cell from the table's title and the row's and column's headers.
          if (j > i) return `<td class="masked" data-value="masked (future, exactly 0)">${opts.small ? '' : '·'}</td>`;
          const c = sequential(w);
          const text = opts.small ? '' : fixed(w, 2).replace(/^0/, '');
          return `<td class="cell" style="background:${css(c)};color:${textOn(c)}" data-value="${w}">${text}</td>`;
        })
        .join('');
      const note = opts.notes ? `<td class="note">${e(opts.notes[i] ?? '')}</td>` : '';
      return `<tr><th>${e(labels[i]!)}</th>${cells}${note}</tr>`;
    })
    .join('');
  return `<figure><figcaption>${e(title)}</figcaption><table class="heatmap${opts.small ? ' small' : ''}" data-heatmap="${e(title)}">${head}${body}</table></figure>`;
}

/** The colour scale's legend: the ends and quarters, and the masked cell. */
export function legendHtml(): string {
  const steps = RAMP_STOPS.map((w) => {
    const c = sequential(w);
    return `<span style="background:${css(c)};color:${textOn(c)}">${w}</span>`;
  });
  return `<p class="legend">Weight: ${steps.join('')} <span style="background:#f3f3f3;color:#bbb">·</span> masked (a future position)</p>`;
}
