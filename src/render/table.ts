import Table from 'cli-table3';
import type { Style } from './style.js';

/** A plain, borderless-looking table; the header is bold only when colour is on. */
export function table(
  style: Style,
  head: string[],
  rows: Array<Array<string | number>>,
  align?: Array<'left' | 'right'>,
): string {
  const t = new Table({
    head: head.map((h) => style.bold(h)),
    style: { head: [], border: [], compact: true, 'padding-left': 1, 'padding-right': 1 },
    ...(align ? { colAligns: align } : {}),
  });
  for (const r of rows) t.push(r.map(String));
  return t.toString();
}

export const indent = (text: string, by = '  '): string =>
  text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
