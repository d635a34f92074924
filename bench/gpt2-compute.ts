/**
 * A GPT-2-124M-shaped forward pass written directly on src/compute (random
 * weights: 12 layers, 768 hidden, 12 heads, 3072 MLP, 50257 vocabulary, tied
 * head; 64 tokens, logits for every position): what the engine will run once
 * it calls these kernels, timed beside PyTorch's same forward
 * (bench/torch_reference.py). Bench only: the engine's own forward lives in src/model.
 */
import type { Compute, Matrix } from '../src/compute/index.js';
import { Rng } from '../src/tensor/index.js';

const [C, L, H, F, V, T, POS] = [768, 12, 12, 3072, 50257, 64, 1024];

interface Layer {
  ln1: Float32Array;
  ln1b: Float32Array;
  qkv: Matrix;
  qkvb: Float32Array;
  proj: Matrix;
  projb: Float32Array;
  ln2: Float32Array;
  ln2b: Float32Array;
  fc: Matrix;
  fcb: Float32Array;
  out: Matrix;
  outb: Float32Array;
}

function randomMatrix(c: Compute, rows: number, cols: number, rng: Rng): Matrix {
  const W = c.allocMatrix('F32', rows, cols);
  const f = new Float32Array(W.bytes.buffer, W.bytes.byteOffset, rows * cols);
  for (let i = 0; i < f.length; i++) f[i] = rng.gauss(0, 0.02);
  return W;
}

/** The model's weights in this Compute, and a forward pass over 64 random token ids. */
export function gpt2OnCompute(c: Compute): { forward: () => Float32Array; flops: number } {
  const rng = new Rng(3);
  const ones = () => new Float32Array(C).fill(1),
    zeros = (n: number) => new Float32Array(n);
  const wte = randomMatrix(c, V, C, rng);
  const wpe = Float32Array.from({ length: POS * C }, () => rng.gauss(0, 0.01));
  const layers: Layer[] = Array.from({ length: L }, () => ({
    ln1: ones(),
    ln1b: zeros(C),
    qkv: randomMatrix(c, 3 * C, C, rng),
    qkvb: zeros(3 * C),
    proj: randomMatrix(c, C, C, rng),
    projb: zeros(C),
    ln2: ones(),
    ln2b: zeros(C),
    fc: randomMatrix(c, F, C, rng),
    fcb: zeros(F),
    out: randomMatrix(c, C, F, rng),
    outb: zeros(C),
  }));
  const ids = Array.from({ length: T }, () => rng.int(V));
  const d = C / H;
  const k = c.allocCache(T * C),
    v = c.allocCache(T * C);
  const row = new Float32Array(C);

  const forward = () => {
    const x = new Float32Array(T * C);
    ids.forEach((id, t) => {
      wte.row(id, row);
      for (let i = 0; i < C; i++) x[t * C + i] = row[i]! + wpe[t * C + i]!;
    });
    for (const l of layers) {
      const h = c.norm(x, T, C, { kind: 'layernorm', eps: 1e-5, weight: l.ln1, bias: l.ln1b });
      const qkv = c.linear(h, T, l.qkv, l.qkvb);
      const q = new Float32Array(T * C);
      for (let t = 0; t < T; t++) {
        q.set(qkv.subarray(t * 3 * C, t * 3 * C + C), t * C);
        k.set(qkv.subarray(t * 3 * C + C, t * 3 * C + 2 * C), t * C);
        v.set(qkv.subarray(t * 3 * C + 2 * C, t * 3 * C + 3 * C), t * C);
      }
      const { out } = c.attention({ q, T, heads: H, kvHeads: H, d, k, v, start: 0, scale: 1 / Math.sqrt(d) });
      c.add(x, c.linear(out, T, l.proj, l.projb));
      const h2 = c.norm(x, T, C, { kind: 'layernorm', eps: 1e-5, weight: l.ln2, bias: l.ln2b });
      const u = c.linear(h2, T, l.fc, l.fcb);
      c.activation(u, 'gelu_tanh');
      c.add(x, c.linear(u, T, l.out, l.outb));
    }
    const xf = c.norm(x, T, C, { kind: 'layernorm', eps: 1e-5, weight: ones(), bias: zeros(C) });
    return c.linear(xf, T, wte);
  };
  const flops = 2 * T * (L * 12 * C * C + V * C) + L * 2 * 2 * ((T * (T + 1)) / 2) * C;
  return { forward, flops };
}
