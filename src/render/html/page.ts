/**
 * The shell of every HTML report: one self-contained file, inline CSS and
 * inline script, no network, no external assets. Every string from a report is
 * escaped here (escapeHtml for markup, jsonScript for data read by the page's script).
 */
import { safe } from '../escape.js';

const ENTITIES = new Map([
  ['&', '&amp;'],
  ['<', '&lt;'],
  ['>', '&gt;'],
  ['"', '&quot;'],
  ["'", '&#39;'],
]);

/** Text for HTML markup and attribute values: the five markup characters as entities, control characters escaped. */
export function escapeHtml(text: string): string {
  return safe(text).replace(/[&<>"']/g, (c) => ENTITIES.get(c)!);
}

/**
 * Data for the page's script, as JSON inside <script type="application/json">:
 * "<", ">" and "&" (which could end the element) and U+2028/2029 are written
 * as \u escapes, which JSON.parse reads back unchanged.
 */
export function jsonScript(id: string, data: unknown): string {
  const json = JSON.stringify(data).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `<script type="application/json" id="${escapeHtml(id)}">${json}</script>`;
}

const STYLE = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:1.5rem auto;max-width:1100px;padding:0 1rem;color:#222}
body.wide{max-width:none;padding:0 1.5rem}
h1{font-size:1.5rem;margin:.2rem 0 .8rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace}
p{max-width:75ch}
table.kv td{padding:.1rem .8rem .1rem 0}
#hover{position:sticky;top:0;z-index:5;background:#fffbe6;border:1px solid #e6d78a;padding:.35rem .8rem;min-height:2.1em;font-family:ui-monospace,Menlo,monospace;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.ok{color:#1a7f37}.bad{color:#cf222e}
table.data{border-collapse:collapse}table.data td,table.data th{border-bottom:1px solid #eee;padding:.2rem .6rem;text-align:right}
table.data td.t,table.data th.t{text-align:left}
.legend span{display:inline-block;width:34px;text-align:center;font:12px ui-monospace,Menlo,monospace}
`;

export interface PageOptions {
  /** The sticky line that reads the value under the pointer, with its first text; none on a page with nothing to point at. */
  hover?: string;
  /** Use the window's whole width (the model view's rows of heads). */
  wide?: boolean;
  /** CSS and script of the page's own parts. */
  style?: string;
  script?: string;
}

export function page(title: string, body: string, opts: PageOptions = {}): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}${opts.style ?? ''}</style></head>
<body${opts.wide ? ' class="wide"' : ''}>
<h1>${escapeHtml(title)}</h1>
${opts.hover !== undefined ? `<div id="hover">${escapeHtml(opts.hover)}</div>\n` : ''}${body}
${opts.script ? `<script>${opts.script}</script>\n` : ''}</body></html>
`;
}
