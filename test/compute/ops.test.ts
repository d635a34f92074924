/**
 * Norms, activations, the gated product, the residual add and RoPE against
 * float64 loops written here. Tolerance: these kernels compute in float64 and
 * round once, so the result is the reference rounded to float32: within
 * 2^-24·|ref| relative (plus 1e-30 for zeros), unless said otherwise.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openCompute, type Activation } from '../../src/compute/index.js';
import { erf, erfcPos } from '../../src/compute/scalar.js';
import { erfcReference, erfReference, randomVector, rngFor, U } from './reference.js';

const simd = openCompute({ kind: 'wasm-simd', threads: 1 });
const js = openCompute({ kind: 'js' });
afterAll(() => simd.close());

function close(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, abs = 1e-30) {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++)
    if (!(Math.abs(got[i]! - want[i]!) <= rel * Math.abs(want[i]!) + abs))
      throw new Error(`[${i}]: ${got[i]}, want ${want[i]} (±${rel}·|want| + ${abs})`);
}

describe.each([
  ['wasm-simd', simd],
  ['js', js],
] as const)('%s', (_, c) => {
  it('LayerNorm and RMSNorm rows, with γ, β, Gemma’s (1 + γ), odd widths (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom(1, 3, 5, 17, 4097, 64),
        fc.constantFrom('layernorm', 'rmsnorm'),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (T, C, kind, withW, withB, onePlus) => {
          const rng = rngFor(T, C);
          const x = randomVector(T * C, rng, 3);
          const w = withW ? randomVector(C, rng) : null,
            b = withB ? randomVector(C, rng) : null;
          const y = c.norm(x, T, C, { kind, eps: 1e-5, weight: w, bias: b, onePlus });
          const ref = new Float64Array(T * C);
          for (let t = 0; t < T; t++) {
            const row = Array.from(x.subarray(t * C, (t + 1) * C));
            const mean = kind === 'layernorm' ? row.reduce((s, v) => s + v, 0) / C : 0;
            const ms = row.reduce((s, v) => s + (v - mean) ** 2, 0) / C;
            row.forEach((v, i) => {
              const g = w ? (onePlus ? 1 + w[i]! : w[i]!) : 1;
              ref[t * C + i] = ((v - mean) / Math.sqrt(ms + 1e-5)) * g + (b ? b[i]! : 0);
            });
          }
          // The float64 sums of the reference and the kernel differ in order: 1e-12 of the scale beside the float32 rounding.
          close(y, ref, U, 1e-9);
        },
      ),
      { seed: 3, numRuns: 80 },
    );
  });

  // Tolerances: ReLU exact; GELU (erf) computed in float64, so the reference rounded (2u); GELU (tanh)
  // and SiLU in float32 SIMD (wasm): within 2e-6 of the value, where the far negative tail amplifies
  // the rounding of z (results there below 1e-6 are within 1e-11).
  it.each([
    ['relu', (v: number) => Math.max(0, v), 0, 0],
    ['silu', (v: number) => v / (1 + Math.exp(-v)), 2e-6, 1e-11],
    [
      'gelu_tanh',
      (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))),
      2e-6,
      1e-11,
    ],
    // Φ(v) = erfc(−v/√2)/2, from the tail integral where v < 0, so tiny outputs keep their digits.
    [
      'gelu',
      (v: number) => 0.5 * v * (v < 0 ? erfcReference(-v / Math.SQRT2) : 1 + erfReference(v / Math.SQRT2)),
      2 * U,
      1e-38,
    ],
  ] as const)('%s on values from −12 to 12', (kind, f, rel, abs) => {
    const x = Float32Array.from({ length: 4097 }, (_, i) => -12 + (24 * i) / 4096);
    const y = x.slice();
    c.activation(y, kind);
    close(y, Array.from(x, f), rel, abs);
  });

  it('NaN stays NaN through every activation; odd lengths keep the values past the end untouched', () => {
    for (const kind of ['relu', 'silu', 'gelu_tanh', 'gelu'] as const) {
      const x = Float32Array.of(NaN, 1, 2, 3, 4, 5, 6);
      c.activation(x.subarray(0, 5), kind);
      expect(x[0]).toBeNaN();
      expect([x[5], x[6]]).toEqual([5, 6]);
    }
  });

  it('gated product act(gate)·up, and the residual add', () => {
    const rng = rngFor(4);
    const gate = randomVector(1003, rng, 2),
      up = randomVector(1003, rng, 2);
    for (const kind of ['silu', 'gelu_tanh'] as Activation[]) {
      const g = gate.slice();
      c.gated(g, up, kind);
      const a = gate.slice();
      c.activation(a, kind);
      close(
        g,
        Array.from(a, (v, i) => Math.fround(v * up[i]!)),
        0,
        0,
      );
    }
    const x = gate.slice();
    c.add(x, up);
    expect(Array.from(x)).toEqual(Array.from(gate, (v, i) => Math.fround(v + up[i]!)));
  });

  it('RoPE: rotate_half on the first rotaryDims of each head, the rest untouched', () => {
    const [T, H, d, rot, start] = [5, 3, 10, 6, 7];
    const rng = rngFor(5);
    const x = randomVector(T * H * d, rng);
    const inv = Float64Array.from({ length: rot / 2 }, (_, i) => 1 / 10000 ** ((2 * i) / rot));
    const y = x.slice();
    c.rope(y, T, H, d, { start, rotaryDims: rot, invFreq: inv });
    const ref = Array.from(x);
    for (let t = 0; t < T; t++)
      for (let h = 0; h < H; h++)
        for (let i = 0; i < rot / 2; i++) {
          const p = (t * H + h) * d;
          const a = (start + t) * inv[i]!;
          ref[p + i] = x[p + i]! * Math.cos(a) - x[p + i + rot / 2]! * Math.sin(a);
          ref[p + i + rot / 2] = x[p + i + rot / 2]! * Math.cos(a) + x[p + i]! * Math.sin(a);
        }
    close(y, ref, U, 1e-12);
    for (let t = 0; t < T; t++)
      for (let h = 0; h < H; h++)
        for (let i = rot; i < d; i++) expect(y[(t * H + h) * d + i]).toBe(x[(t * H + h) * d + i]);
  });
});

describe('erf (the kernels’ own, float64)', () => {
  it('matches Simpson’s rule: erf to 2e-14 (the reference’s 20,000-term float64 sum) from −7 to 7 (odd), erfc to 1e-11 of itself up to 25 (1 − a series near 2.5 whose terms reach e^(a²) ≈ 500)', () => {
    for (let x = -7; x <= 7; x += 0.01) {
      expect(Math.abs(erf(x) - erfReference(x))).toBeLessThan(2e-14);
      expect(erf(-x)).toBe(-erf(x));
    }
    for (let a = 0; a <= 25; a += 0.05) expect(Math.abs(erfcPos(a) / erfcReference(a) - 1)).toBeLessThan(1e-11);
    expect(erfcPos(30)).toBe(0);
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 15);
    expect(erf(-30)).toBe(-1);
    expect(erf(Infinity)).toBe(1);
    expect(erf(NaN)).toBeNaN();
  });
});
