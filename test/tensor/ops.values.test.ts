import { describe, expect, it } from 'vitest';
import * as T from '../../src/tensor/index.js';
import { Graph, Tensor } from '../../src/tensor/index.js';
import { MicrogptError } from '../../src/errors.js';

const g = () => new Graph(false);

describe('hand-computed values', () => {
  it('softmax([1, 2, 3]) = [0.0900306, 0.2447285, 0.6652410]', () => {
    const y = T.softmaxRows(g(), Tensor.constant([1, 3], [1, 2, 3]));
    [0.09003057317038046, 0.24472847105479764, 0.6652409557748219].forEach((v, i) =>
      expect(y.data[i]).toBeCloseTo(v, 12),
    );
  });

  it('softmax is shift-invariant and handles large inputs without overflow', () => {
    const y = T.softmaxRows(g(), Tensor.constant([1, 2], [1000, 1000]));
    expect(Array.from(y.data)).toEqual([0.5, 0.5]);
  });

  it('softmax refuses -Infinity and NaN with an error that explains the finite mask', () => {
    for (const bad of [-Infinity, NaN, Infinity]) {
      const call = () => T.softmaxRows(g(), Tensor.constant([1, 3], [0, bad, 1]));
      expect(call).toThrow(MicrogptError);
      expect(call).toThrow(/finite/);
    }
  });

  it('RMSNorm([1, 2, 3, 4]) with eps 0 = x / √7.5', () => {
    // mean of squares = (1 + 4 + 9 + 16) / 4 = 7.5, √7.5 = 2.7386127875258306
    const y = T.rmsnormRows(g(), Tensor.constant([1, 4], [1, 2, 3, 4]), 0);
    [0.3651483716701107, 0.7302967433402214, 1.0954451150103321, 1.4605934866804429].forEach((v, i) =>
      expect(y.data[i]).toBeCloseTo(v, 12),
    );
  });

  it('RMSNorm eps keeps a zero row finite', () => {
    const y = T.rmsnormRows(g(), Tensor.constant([1, 3], [0, 0, 0]), 1e-5);
    expect(Array.from(y.data)).toEqual([0, 0, 0]);
  });

  it('2×2 causal attention by hand: q = k = I, v = [[1,2],[3,4]], scale 1/√2', () => {
    const gr = g();
    const q = Tensor.constant([2, 2], [1, 0, 0, 1]);
    const k = Tensor.constant([2, 2], [1, 0, 0, 1]);
    const v = Tensor.constant([2, 2], [1, 2, 3, 4]);
    const w = T.softmaxRows(gr, T.addCausalMask(gr, T.scale(gr, T.matmulT(gr, q, k), 1 / Math.SQRT2)));
    // row 0 sees only itself; row 1: softmax([0, 0.7071068]) = [1/(1+e^0.7071068), …], e^0.7071068 = 2.0281150, so 1/3.0281150 = 0.3302385
    expect(Array.from(w.data.subarray(0, 2))).toEqual([1, 0]);
    expect(w.data[2]).toBeCloseTo(0.3302385, 6);
    expect(w.data[3]).toBeCloseTo(0.6697615, 6);
    const out = T.matmul(gr, w, v);
    expect(Array.from(out.data.subarray(0, 2))).toEqual([1, 2]);
    expect(out.data[2]).toBeCloseTo(2.339523, 6);
    expect(out.data[3]).toBeCloseTo(3.339523, 6);
  });

  it('cross-entropy of uniform logits is ln V', () => {
    const y = T.crossEntropy(g(), Tensor.constant([2, 27], new Array(54).fill(0.3)), [0, 26]);
    expect(y.data[0]).toBeCloseTo(Math.log(27), 12);
  });

  it('the graph reuses its buffers after reset', () => {
    const gr = new Graph();
    const a = Tensor.param([4, 4]);
    const step = () => {
      gr.reset();
      gr.backward(T.sum(gr, T.relu(gr, T.matmulT(gr, a, a))));
    };
    step();
    const n = gr.pooledBuffers;
    for (let i = 0; i < 5; i++) step();
    expect(gr.pooledBuffers).toBe(n);
  });
});

describe('Rng', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = new T.Rng(42),
      b = new T.Rng(42),
      c = new T.Rng(43);
    const xs = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(xs);
  });

  it('Gaussian draws have mean ≈ 0 and std ≈ 1 (n = 200,000, 5σ bounds)', () => {
    const r = new T.Rng(7);
    const n = 200_000;
    let s = 0,
      ss = 0;
    for (let i = 0; i < n; i++) {
      const z = r.gauss();
      s += z;
      ss += z * z;
    }
    const m = s / n,
      sd = Math.sqrt(ss / n - m * m);
    expect(Math.abs(m)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(sd - 1)).toBeLessThan(5 * Math.sqrt(0.5 / n));
  });
});

describe('Adam', () => {
  it('first step moves each weight by lr·sign(grad) (bias correction makes m̂/√v̂ = ±1)', () => {
    const p = Tensor.param([3], Float64Array.from([1, 2, 3]));
    p.grad!.set([0.5, -2, 1e-3]);
    new T.Adam([p]).step(0.01);
    expect(p.data[0]).toBeCloseTo(0.99, 6);
    expect(p.data[1]).toBeCloseTo(2.01, 6);
    expect(p.data[2]).toBeCloseTo(2.99, 4);
    expect(Array.from(p.grad!)).toEqual([0, 0, 0]);
  });
});
