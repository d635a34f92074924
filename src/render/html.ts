/**
 * Self-contained HTML reports (render/html/): one file each, inline CSS and
 * script, no network, no external assets; every string from a report escaped.
 */
export { escapeHtml, jsonScript, page } from './html/page.js';
export { renderAttentionHtml } from './html/attention.js';
export { renderInspectHtml } from './html/inspect.js';
