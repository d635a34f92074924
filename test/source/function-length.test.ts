import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { functionLengths } from './function-lengths.js';

/** A function fits on a screen (DESIGN.md): past this, split it. */
const MAX_LINES = 100;

describe('no function in src/ is longer than 100 lines', () => {
  it('every function, method and arrow body fits (read with the TypeScript parser)', () => {
    const long = functionLengths(join(ROOT, 'src'))
      .filter((f) => f.lines > MAX_LINES)
      .map((f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines)`);
    expect(long).toEqual([]);
  });

  it('the measure counts what it should: a body from { to }, nested bodies inside their parent', () => {
    const found = functionLengths(join(ROOT, 'test', 'fixtures', 'function-lengths'));
    const byName = new Map(found.map((f) => [f.name, f]));
    expect(byName.get('outer')).toMatchObject({ file: 'sample.ts', line: 2, lines: 7 });
    expect(byName.get('inner')).toMatchObject({ line: 3, lines: 3 });
    expect(byName.get('Box.method')).toMatchObject({ lines: 3 });
    expect(byName.get('arrow')).toMatchObject({ lines: 4 });
    // An expression-bodied arrow has no block: nothing to count.
    expect(byName.has('short')).toBe(false);
  });
});
