/**
 * The shell of every HTML report: one self-contained file, inline CSS and
 * inline script, no network, no external assets. Every string from a report is
 * escaped here (escapeHtml for markup, jsonScript for data read by the page's script).
 */
import { escapeHtml } from '../escape.js';
import { GENERATOR_META } from '../generator.js';
import { scriptJson } from '../json.js';

export { escapeHtml };

/**
 * Data for the page's script, as JSON inside <script type="application/json">:
 * hidden characters, "<" and ">" written as \u escapes (json.ts scriptJson),
 * which JSON.parse reads back unchanged, so nothing can end the element.
 */
export function jsonScript(id: string, data: unknown): string {
  return `<script type="application/json" id="${escapeHtml(id)}">${scriptJson(data)}</script>`;
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
<html lang="en"><head><meta charset="utf-8">${GENERATOR_META}<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}${opts.style ?? ''}</style></head>
<body${opts.wide ? ' class="wide"' : ''}>
<h1>${escapeHtml(title)}</h1>
${opts.hover !== undefined ? `<div id="hover">${escapeHtml(opts.hover)}</div>\n` : ''}${body}
${opts.script ? `<script>${opts.script}</script>\n` : ''}</body></html>
`;
}
