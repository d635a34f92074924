/**
 * Start-up stays small: nothing the CLI imports statically (the modules loaded
 * for every command, `--help` included) reaches src/compute. Commands that run
 * a model import it lazily (`await import(...)`), which this walk does not follow.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Every source file reachable from `file` through static, non-type imports and re-exports. */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  for (const m of source.matchAll(/^\s*(import|export)\s(?!type\s)[^;]*?\sfrom\s+'(\.[^']+)'/gms)) {
    const target = resolve(dirname(file), m[2]!.replace(/\.js$/, '.ts'));
    if (existsSync(target)) staticImports(target, seen);
  }
  for (const m of source.matchAll(/^\s*import\s+'(\.[^']+)'/gm)) {
    const target = resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts'));
    if (existsSync(target)) staticImports(target, seen);
  }
  return seen;
}

describe('start-up', () => {
  it('the CLI reaches no file under src/compute through static imports', () => {
    const loaded = [...staticImports(join(ROOT, 'src', 'cli.ts'))].map((f) => relative(ROOT, f));
    expect(loaded).toContain('src/cli.ts');
    expect(loaded.filter((f) => f.startsWith('src/compute/'))).toEqual([]);
  });

  it('the walk does follow static imports (src/compute/index.ts reaches its kernels’ loader)', () => {
    const loaded = [...staticImports(join(ROOT, 'src', 'compute', 'index.ts'))].map((f) => relative(ROOT, f));
    expect(loaded).toEqual(
      expect.arrayContaining(['src/compute/wasm.ts', 'src/compute/pool.ts', 'src/compute/units.ts']),
    );
  });
});
