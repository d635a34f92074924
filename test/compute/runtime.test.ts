/**
 * What depends on the runtime, each in a child process: the relaxed-SIMD
 * (fused multiply-add) kernels under Node 20's --experimental-wasm-relaxed-simd,
 * the JavaScript kernels where WebAssembly SIMD is missing, and worker threads
 * that never keep a process alive.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CHILD = join(import.meta.dirname, 'child.ts');

function child(mode: string, flags: string[] = []): Record<string, unknown> {
  const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', CHILD, mode], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`child ${mode} exited ${r.status} (${r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('the runtime decides the kernels', () => {
  it('relaxed SIMD where the runtime validates it: within the float32 bound, same bits for 1, 2, 3 threads', (ctx) => {
    const r = child('relaxed', ['--experimental-wasm-relaxed-simd']);
    if (r.kind !== 'wasm-relaxed-simd') {
      ctx.skip(`this runtime (${process.version}) does not run relaxed SIMD even with the flag (got ${r.kind})`);
      return;
    }
    // A fused multiply-add rounds once where multiply-then-add rounds twice: inside the same bound.
    expect(r.worst).toBeLessThanOrEqual(1);
    expect(r.identical).toBe(true);
  });

  it('plain SIMD without the flag (Node 20)', (ctx) => {
    const r = child('relaxed');
    if (Number(process.versions.node.split('.')[0]) > 20) ctx.skip('newer Node runs relaxed SIMD by default');
    expect(r.kind).toBe('wasm-simd');
  });

  it('the JavaScript kernels where WebAssembly SIMD is missing, within the same bound', () => {
    const r = child('no-simd');
    expect(r.kind).toBe('js');
    expect(r.worst).toBeLessThanOrEqual(1);
  });

  it('workers start whatever the parent was run with (--input-type=module would make their script an ES module)', () => {
    const script = `
      const { openCompute } = await import(${JSON.stringify(join(import.meta.dirname, '../../src/compute/index.ts'))});
      const c = openCompute({ threads: 2 });
      const W = c.allocMatrix('F32', 512, 256);
      c.linear(new Float32Array(64 * 256), 64, W);
      await new Promise((r) => setTimeout(r, 2000)); // a worker that failed to start has said so by now
      c.linear(new Float32Array(64 * 256), 64, W); // and this run would throw it
      console.log('ok');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect([r.status, r.stdout.trim(), r.stderr]).toEqual([0, 'ok', '']);
  });

  it('worker threads never keep the process alive', () => {
    const r = child('exit');
    expect(r).toEqual({ kind: expect.stringMatching(/^wasm/), threads: 2, values: 64 * 512 });
  });

  it('threads started ahead of the first job give its bits, and never keep the process alive either', () => {
    expect(child('started')).toEqual({ identical: true });
  });
});
