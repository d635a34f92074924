/**
 * The plain JavaScript implementation of Compute, for runtimes without
 * WebAssembly SIMD (one thread). Its matrix product rounds exactly as the
 * SIMD kernel does — acc = f32(acc + f32(x·w)) in order of k, then + bias —
 * so the two agree bit for bit (a double holds the product of two floats
 * exactly, and rounding a double sum of two floats to float is the float sum).
 */
import { checkAttention, checkLinear, checkRope, checkRows, checkTransposed } from './check.js';
import { dtypeInfo, type Dtype } from './dtype.js';
import { sharedMatrix, type Matrix } from './matrix.js';
import type { Activation, AttentionInput, AttentionOutput, Compute, NormOptions, RopeOptions } from './types.js';
import { activate } from './scalar.js';
import { readAll } from './read.js';

const fround = Math.fround;

export class JsCompute implements Compute {
  readonly kind = 'js' as const;
  readonly threads = 1;

  allocMatrix(dtype: Dtype, rows: number, cols: number): Matrix {
    return sharedMatrix(dtype, rows, cols);
  }

  allocCache(length: number): Float32Array {
    return new Float32Array(length);
  }

  releaseCache(): void {}

  releaseMatrix(): void {}

  readFile(fd: number, position: number, into: Uint8Array): void {
    readAll(fd, position, into);
  }

  /** Row-major, as this kind keeps matrices: stored rows scattered into columns a chunk at a time. */
  fillTransposed(
    parts: ReadonlyArray<{ matrix: Matrix; first: number }>,
    stride: number,
    read: (k0: number, n: number, into: Uint8Array) => void,
  ): void {
    checkTransposed(parts, stride);
    const { cols: K, dtype } = parts[0]!.matrix,
      esize = dtypeInfo(dtype).rowBytes(1);
    const chunk = Math.max(1, Math.min(K, Math.floor((4 << 20) / (stride * esize))));
    const bytes = new Uint8Array(chunk * stride * esize);
    const view = (b: Uint8Array) =>
      esize === 4
        ? new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4)
        : new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2);
    for (let k0 = 0; k0 < K; k0 += chunk) {
      const n = Math.min(chunk, K - k0);
      read(k0, n, bytes.subarray(0, n * stride * esize));
      const src = view(bytes);
      for (const { matrix: m, first } of parts) {
        const dst = view(m.bytes);
        for (let r = 0; r < m.rows; r++) for (let k = 0; k < n; k++) dst[r * K + k0 + k] = src[k * stride + first + r]!;
      }
    }
  }

  linear(x: Float32Array, T: number, W: Matrix, bias: Float32Array | null = null, out?: Float32Array): Float32Array {
    checkLinear(x, T, W, bias, out);
    const K = W.cols,
      O = W.rows;
    const y = out ?? new Float32Array(T * O);
    const w = new Float32Array(K);
    for (let o = 0; o < O; o++) {
      W.row(o, w);
      const b = bias ? bias[o]! : 0;
      for (let t = 0; t < T; t++) {
        const r = t * K;
        let acc = 0;
        for (let k = 0; k < K; k++) acc = fround(acc + fround(x[r + k]! * w[k]!));
        y[t * O + o] = bias ? fround(acc + b) : acc;
      }
    }
    return y;
  }

  norm(x: Float32Array, T: number, C: number, o: NormOptions, out?: Float32Array): Float32Array {
    checkRows('norm', x, T, C);
    const y = out ?? new Float32Array(x.length);
    const w = o.weight ?? null,
      b = o.bias ?? null;
    for (let t = 0; t < T; t++) {
      const r = t * C;
      let mean = 0;
      if (o.kind === 'layernorm') {
        for (let i = 0; i < C; i++) mean += x[r + i]!;
        mean /= C;
      }
      let sq = 0;
      for (let i = 0; i < C; i++) sq += (x[r + i]! - mean) ** 2;
      const inv = 1 / Math.sqrt(sq / C + o.eps);
      for (let i = 0; i < C; i++) {
        let v = (x[r + i]! - mean) * inv;
        if (w) v *= o.onePlus ? 1 + w[i]! : w[i]!;
        if (b) v += b[i]!;
        y[r + i] = v;
      }
    }
    return y;
  }

  activation(x: Float32Array, kind: Activation): void {
    for (let i = 0; i < x.length; i++) x[i] = activate(x[i]!, kind);
  }

  gated(gate: Float32Array, up: Float32Array, kind: Activation): void {
    if (gate.length !== up.length) throw new RangeError(`compute: gated: ${gate.length} gates, ${up.length} values`);
    for (let i = 0; i < gate.length; i++) gate[i] = fround(activate(gate[i]!, kind)) * up[i]!;
  }

  add(x: Float32Array, y: Float32Array): void {
    if (x.length !== y.length) throw new RangeError(`compute: add: ${x.length} and ${y.length} values`);
    for (let i = 0; i < x.length; i++) x[i]! += y[i]!;
  }

  rope(x: Float32Array, T: number, heads: number, d: number, o: RopeOptions): void {
    checkRope(x, T, heads, d, o);
    const half = o.rotaryDims / 2;
    for (let t = 0; t < T; t++)
      for (let i = 0; i < half; i++) {
        const angle = (o.start + t) * o.invFreq[i]!;
        const c = Math.cos(angle),
          s = Math.sin(angle);
        for (let h = 0; h < heads; h++) {
          const p = (t * heads + h) * d + i;
          const x1 = x[p]!,
            x2 = x[p + half]!;
          x[p] = x1 * c - x2 * s;
          x[p + half] = x2 * c + x1 * s;
        }
      }
  }

  attention(a: AttentionInput): AttentionOutput {
    checkAttention(a);
    const { T, heads: H, kvHeads: KV, d, start } = a;
    const total = start + T,
      kvW = KV * d;
    const out = new Float32Array(T * H * d);
    const probs = a.weights ? new Float64Array(H * T * total) : null;
    const shown = a.scores ? new Float64Array(H * T * total).fill(-Infinity) : null;
    const scores = new Float64Array(total);
    for (let h = 0; h < H; h++) {
      const kvOff = Math.floor((h * KV) / H) * d;
      const scale = typeof a.scale === 'number' ? a.scale : a.scale[h]!;
      for (let t = 0; t < T; t++) {
        const i = start + t;
        const first = a.window ? Math.max(0, i - a.window + 1) : 0;
        const qo = (t * H + h) * d;
        let max = -Infinity;
        for (let j = first; j <= i; j++) {
          let dot = 0;
          for (let e = 0; e < d; e++) dot += a.q[qo + e]! * a.k[j * kvW + kvOff + e]!;
          scores[j] = fround(dot) * scale;
          if (shown) shown[(h * T + t) * total + j] = scores[j]!;
          if (scores[j]! > max) max = scores[j]!;
        }
        let sum = 0;
        for (let j = first; j <= i; j++) sum += scores[j] = Math.exp(scores[j]! - max);
        for (let j = first; j <= i; j++) {
          const p64 = scores[j]! / sum,
            p = fround(p64);
          if (probs) probs[(h * T + t) * total + j] = p64;
          for (let e = 0; e < d; e++) out[qo + e] = fround(out[qo + e]! + fround(p * a.v[j * kvW + kvOff + e]!));
        }
      }
    }
    return { out, weights: probs, scores: shown };
  }

  startThreads(): void {}

  close(): void {}
}
