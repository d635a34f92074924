import { MicrogptError } from '../errors.js';

/** "Unexpected token } in JSON at position 42" → "line 3, column 7: Unexpected token }". */
export function jsonSyntaxError(file: string, text: string, e: Error): MicrogptError {
  const pos = Number(/position (\d+)/.exec(e.message)?.[1]);
  if (!Number.isFinite(pos)) return new MicrogptError('MG010', `${file}: not valid JSON: ${e.message}`);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return new MicrogptError(
    'MG010',
    `${file}: line ${line}, column ${column}: not valid JSON: ${e.message.replace(/ in JSON at position \d+.*$/, '')}`,
  );
}
