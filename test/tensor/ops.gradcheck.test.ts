import { describe, expect, it } from 'vitest';
import * as T from '../../src/tensor/index.js';
import { Graph, Tensor } from '../../src/tensor/index.js';
import { gradCheck, randomParam } from '../helpers/gradcheck.js';

/** Reduces any output to a scalar with fixed random weights, so every output element's gradient matters. */
function weighted(g: Graph, out: Tensor, seed = 99): Tensor {
  const w = randomParam([...out.shape], seed);
  return T.sum(g, T.mul(g, out, new Tensor(out.shape, w.data)));
}

const TOL = 1e-7;

describe('every op passes a central finite-difference gradient check', () => {
  const cases: Array<[string, () => [Tensor[], (g: Graph) => Tensor]]> = [
    [
      'matmul',
      () => {
        const a = randomParam([3, 4], 1),
          b = randomParam([4, 5], 2);
        return [[a, b], (g) => weighted(g, T.matmul(g, a, b))];
      },
    ],
    [
      'matmulT',
      () => {
        const a = randomParam([3, 4], 3),
          b = randomParam([5, 4], 4);
        return [[a, b], (g) => weighted(g, T.matmulT(g, a, b))];
      },
    ],
    [
      'transpose',
      () => {
        const a = randomParam([3, 5], 5);
        return [[a], (g) => weighted(g, T.transpose(g, a))];
      },
    ],
    [
      'add',
      () => {
        const a = randomParam([2, 3], 6),
          b = randomParam([2, 3], 7);
        return [[a, b], (g) => weighted(g, T.add(g, a, b))];
      },
    ],
    [
      'mul',
      () => {
        const a = randomParam([2, 3], 8),
          b = randomParam([2, 3], 9);
        return [[a, b], (g) => weighted(g, T.mul(g, a, b))];
      },
    ],
    [
      'scale',
      () => {
        const a = randomParam([2, 3], 10);
        return [[a], (g) => weighted(g, T.scale(g, a, -0.7))];
      },
    ],
    [
      'relu',
      () => {
        const a = randomParam([4, 4], 11);
        return [[a], (g) => weighted(g, T.relu(g, a))];
      },
    ],
    [
      'exp',
      () => {
        const a = randomParam([2, 3], 12);
        return [[a], (g) => weighted(g, T.exp(g, a))];
      },
    ],
    [
      'log',
      () => {
        const a = randomParam([2, 3], 13, 0.5, 2);
        return [[a], (g) => weighted(g, T.log(g, a))];
      },
    ],
    [
      'sum',
      () => {
        const a = randomParam([2, 3], 14);
        return [[a], (g) => T.sum(g, a)];
      },
    ],
    [
      'mean',
      () => {
        const a = randomParam([2, 3], 15);
        return [[a], (g) => T.mean(g, a)];
      },
    ],
    [
      'reshape',
      () => {
        const a = randomParam([2, 6], 16);
        return [[a], (g) => weighted(g, T.reshape(g, a, [3, 4]))];
      },
    ],
    [
      'sliceCols',
      () => {
        const a = randomParam([3, 8], 17);
        return [[a], (g) => weighted(g, T.sliceCols(g, a, 2, 4))];
      },
    ],
    [
      'concatCols',
      () => {
        const a = randomParam([3, 2], 18),
          b = randomParam([3, 3], 19);
        return [[a, b], (g) => weighted(g, T.concatCols(g, [a, b]))];
      },
    ],
    [
      'softmaxRows',
      () => {
        const a = randomParam([3, 5], 20, -3, 3);
        return [[a], (g) => weighted(g, T.softmaxRows(g, a))];
      },
    ],
    [
      'rmsnormRows',
      () => {
        const a = randomParam([3, 6], 21);
        return [[a], (g) => weighted(g, T.rmsnormRows(g, a, 1e-5))];
      },
    ],
    [
      'gather',
      () => {
        const a = randomParam([5, 3], 22);
        return [[a], (g) => weighted(g, T.gather(g, a, [4, 0, 4, 2]))];
      },
    ],
    [
      'addCausalMask + softmaxRows',
      () => {
        const a = randomParam([4, 4], 23);
        return [[a], (g) => weighted(g, T.softmaxRows(g, T.addCausalMask(g, a)))];
      },
    ],
    [
      'causalAttention (4 heads)',
      () => {
        const q = randomParam([5, 8], 26),
          k = randomParam([5, 8], 27),
          v = randomParam([5, 8], 28);
        return [[q, k, v], (g) => weighted(g, T.causalAttention(g, q, k, v, 4).out)];
      },
    ],
    [
      'causalAttention (GQA: 4 heads, 2 kv heads)',
      () => {
        const q = randomParam([5, 8], 29),
          k = randomParam([5, 4], 30),
          v = randomParam([5, 4], 31);
        return [[q, k, v], (g) => weighted(g, T.causalAttention(g, q, k, v, 4, 2).out)];
      },
    ],
    [
      'causalAttention (MQA: 1 kv head)',
      () => {
        const q = randomParam([4, 8], 32),
          k = randomParam([4, 2], 33),
          v = randomParam([4, 2], 34);
        return [[q, k, v], (g) => weighted(g, T.causalAttention(g, q, k, v, 4, 1).out)];
      },
    ],
    [
      'causalAttention with ALiBi',
      () => {
        const q = randomParam([5, 8], 35),
          k = randomParam([5, 8], 36),
          v = randomParam([5, 8], 37);
        return [[q, k, v], (g) => weighted(g, T.causalAttention(g, q, k, v, 4, 4, [0.25, 0.0625, 0.0156, 0.0039]).out)];
      },
    ],
    [
      'geluTanh',
      () => {
        const a = randomParam([3, 5], 38, -3, 3);
        return [[a], (g) => weighted(g, T.geluTanh(g, a))];
      },
    ],
    [
      'geluExact',
      () => {
        const a = randomParam([3, 5], 39, -3, 3);
        return [[a], (g) => weighted(g, T.geluExact(g, a))];
      },
    ],
    [
      'silu',
      () => {
        const a = randomParam([3, 5], 40, -4, 4);
        return [[a], (g) => weighted(g, T.silu(g, a))];
      },
    ],
    [
      'mulRow',
      () => {
        const a = randomParam([3, 5], 41),
          v = randomParam([5], 42);
        return [[a, v], (g) => weighted(g, T.mulRow(g, a, v))];
      },
    ],
    [
      'addRow',
      () => {
        const a = randomParam([3, 5], 43),
          b = randomParam([5], 44);
        return [[a, b], (g) => weighted(g, T.addRow(g, a, b))];
      },
    ],
    [
      'layernormRows',
      () => {
        const a = randomParam([3, 6], 45);
        return [[a], (g) => weighted(g, T.layernormRows(g, a, 1e-5))];
      },
    ],
    [
      'rope',
      () => {
        const a = randomParam([5, 8], 46);
        return [[a], (g) => weighted(g, T.rope(g, a, 2, 10000))];
      },
    ],
    [
      'rope, partial (2 of 6 dims per head rotated, the rest passed through)',
      () => {
        const a = randomParam([5, 12], 47);
        return [[a], (g) => weighted(g, T.rope(g, a, 2, 10000, 2))];
      },
    ],
    [
      'crossEntropy',
      () => {
        const a = randomParam([4, 6], 24, -2, 2);
        return [[a], (g) => T.crossEntropy(g, a, [1, 5, 0, 3])];
      },
    ],
  ];
  for (const [name, make] of cases) {
    it(name, () => {
      const [inputs, f] = make();
      const { maxError, worst } = gradCheck(inputs, f);
      expect(maxError, JSON.stringify(worst)).toBeLessThan(TOL);
    });
  }

  it('accumulates gradients when a tensor is used twice (x·x)', () => {
    const a = randomParam([2, 2], 25);
    const { maxError } = gradCheck([a], (g) => weighted(g, T.matmul(g, a, a)));
    expect(maxError).toBeLessThan(TOL);
  });
});
