import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
/** What tsc compiles into dist/ (tsconfig.json's include). */
const SOURCES = ['src', 'examples', 'bench', 'scripts', 'test/helpers'];
const BUILT = join(ROOT, 'dist', 'src', 'program.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : e.name.endsWith('.ts') ? statSync(p).mtimeMs : 0);
  }
  return newest;
}

/** The compute kernels' WebAssembly (dist/wasm/), which src/ and dist/ code both load, rebuilt when older than its source. */
function buildWasmIfStale(): void {
  const source = join(ROOT, 'src', 'compute', 'assembly');
  const built = ['compute-simd.wasm', 'compute-relaxed.wasm'].map(
    (f) => statSync(join(ROOT, 'dist', 'wasm', f), { throwIfNoEntry: false })?.mtimeMs ?? 0,
  );
  if (Math.min(...built) > newestSource(source)) return;
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-wasm.mjs')], { stdio: 'inherit' });
}

/**
 * CLI tests run the built code, so build before any test runs — unless dist/ is
 * already newer than every source file (as after `npm run build` in .ci/run),
 * which saves a 10 s compile. Every temporary file of the run (tests make model
 * folders, some of them sparse gigabytes) goes under one folder, removed at the
 * end, so running the tests never fills the machine's /tmp.
 */
export default function setup(): () => void {
  const scratch = mkdtempSync(join(tmpdir(), 'microgpt-tests-'));
  process.env.TMPDIR = scratch;
  const teardown = () => rmSync(scratch, { recursive: true, force: true });
  buildWasmIfStale();
  const built = statSync(BUILT, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const newest = Math.max(
    ...SOURCES.map((d) => newestSource(join(ROOT, d))),
    statSync(join(ROOT, 'tsconfig.json')).mtimeMs,
  );
  if (built <= newest) execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  return teardown;
}
