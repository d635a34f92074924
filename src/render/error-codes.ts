import type { ErrorCodesReport } from '../explain/error-codes.js';
import type { Style } from './style.js';

export function renderErrorCodes(r: ErrorCodesReport, s: Style): string {
  if (r.codes.length === 1) {
    const [c] = r.codes;
    return [
      `${s.bold(c.code)}: ${c.title}`,
      '',
      'Usual causes:',
      ...c.causes.map((x) => `  • ${x}`),
      '',
      `Fix: ${c.fix}`,
    ].join('\n');
  }
  return [
    s.bold('Error codes') + ' (microgpt explain MGnnn for causes and fixes):',
    ...r.codes.map((c) => `  ${c.code}  ${c.title}`),
  ].join('\n');
}
