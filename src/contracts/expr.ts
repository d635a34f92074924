import { MicrogptError } from '../errors.js';

/**
 * Evaluates a shape expression such as "3*hidden" or "kv_heads*head_dim + 1":
 * integers, names, + − * / and parentheses. A tiny recursive-descent parser,
 * because shape templates must never be handed to eval.
 */
export function evaluate(expr: string, vars: Readonly<Record<string, number | undefined>>): number {
  // Bounded so that a hostile contract cannot exhaust the parser's stack.
  if (expr.length > 200)
    throw new MicrogptError('MG030', `shape expression of ${expr.length} characters is too long (at most 200)`);
  const tokens = expr.match(/\s*(\d+(?:\.\d+)?|[A-Za-z_]\w*|[-+*/()])/gy);
  if (!tokens || tokens.join('').replace(/\s/g, '') !== expr.replace(/\s/g, '')) {
    throw new MicrogptError(
      'MG030',
      `shape expression "${expr}" has characters other than numbers, names, + - * / ( )`,
    );
  }
  const ts = tokens.map((t) => t.trim());
  let i = 0;
  const fail = (why: string): never => {
    throw new MicrogptError('MG030', `shape expression "${expr}": ${why}`);
  };
  const primary = (): number => {
    const t = ts[i++];
    if (t === undefined) return fail('ends too early');
    if (t === '(') {
      const v = sum();
      if (ts[i++] !== ')') fail('missing )');
      return v;
    }
    if (t === '-') return -primary();
    if (/^\d/.test(t)) return Number(t);
    if (/^[A-Za-z_]/.test(t)) {
      const v = vars[t];
      if (v === undefined)
        fail(
          `unknown name "${t}"; known: ${
            Object.keys(vars)
              .filter((k) => vars[k] !== undefined)
              .join(', ') || 'none'
          }`,
        );
      return v as number;
    }
    return fail(`unexpected "${t}"`);
  };
  const product = (): number => {
    let v = primary();
    while (ts[i] === '*' || ts[i] === '/') v = ts[i++] === '*' ? v * primary() : v / primary();
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (ts[i] === '+' || ts[i] === '-') v = ts[i++] === '+' ? v + product() : v - product();
    return v;
  };
  const v = sum();
  if (i !== ts.length) fail(`unexpected "${ts[i]}"`);
  return v;
}
