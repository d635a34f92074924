import type { Stats } from '../explain/stats.js';
import { safe, type Style } from './style.js';

/**
 * The ✗ line for a weight tensor holding NaN or infinity (none when it holds
 * neither): its figures are those of its finite values, and validate --scan
 * is where every such tensor is named.
 */
export function nonFiniteLine(name: string, st: Stats, from: string, s: Style, indent = '  '): string[] {
  if (st.nan + st.inf === 0) return [];
  const what = [st.nan ? `${st.nan} NaN` : '', st.inf ? `${st.inf} infinite` : ''].filter(Boolean).join(', ');
  return [
    `${indent}${s.red('✗')} ${safe(name)}: ${what}; the figures are those of its finite values (microgpt validate --scan ${safe(from)} names every such tensor)`,
  ];
}
