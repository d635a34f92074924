import { kernel } from '../kernels/index.js';
import {
  alibiSlopes,
  hasPositionTable,
  MICROGPT_ARCHITECTURE,
  type Architecture,
  type ModelConfig,
} from '../model/index.js';

/** How a family's tiny model differs from microGPT, in words computed from the two architectures. */
export interface DifferencesReport {
  family: string;
  lines: string[];
  /** ALiBi's bias matrices, per head: bias[h][i][j] = −m_h·(i − j) for j ≤ i (null above the diagonal). */
  alibi: null | { slopes: number[]; bias: Array<Array<Array<number | null>>> };
}

function kvSharing(heads: number, kv: number): string {
  if (kv === heads) return `MHA: each of the ${heads} query heads has its own K/V head`;
  if (kv === 1) return `MQA: all ${heads} query heads share one K/V head`;
  const group = heads / kv;
  const groups = Array.from(
    { length: kv },
    (_, g) => `heads ${Array.from({ length: group }, (_, i) => g * group + i).join(',')} → K/V ${g}`,
  );
  return `GQA: ${heads} query heads share ${kv} K/V heads (${groups.join('; ')})`;
}

export function buildDifferences(a: Architecture, c: ModelConfig, len: number): DifferencesReport | null {
  if (a.family === 'microgpt') return null;
  const m = MICROGPT_ARCHITECTURE;
  const lines: string[] = [];
  if (c.nKvHead !== c.nHead) lines.push(`${kvSharing(c.nHead, c.nKvHead)}; microGPT gives every head its own K/V`);
  if (a.positional_encoding !== m.positional_encoding) {
    const why = {
      rope: `RoPE (θ = ${a.rope_theta}): q and k are rotated by their position before the scores; there is no position table`,
      alibi: `ALiBi: −m_h·(i − j) is added to each head's scores (slopes below); there is no position table`,
      none: 'no positions at all: order comes only from the causal mask',
      absolute: "absolute position embeddings (a table added to the token embedding), the same kind as microGPT's",
    }[a.positional_encoding];
    if (why) lines.push(why);
  }
  if (a.norm_type !== m.norm_type || a.norm_affine) {
    lines.push(
      `${kernel('norm_type', a.norm_type).title}${a.norm_affine ? ` with learned ${a.norm_type === 'layernorm' ? 'γ and β' : 'γ'}` : ''}: ${kernel('norm_type', a.norm_type).formula}; microGPT's RMSNorm has no weights`,
    );
  }
  if (a.embedding_norm !== m.embedding_norm)
    lines.push(
      a.embedding_norm ? 'a norm right after the embedding' : 'no norm right after the embedding (microGPT has one)',
    );
  if (a.final_norm) lines.push('a final norm before the output head (microGPT has none)');
  if (a.mlp_type !== m.mlp_type || a.activation !== m.activation) {
    const act =
      a.activation === 'gelu'
        ? `GELU (${a.gelu_approximation === 'none' ? 'exact erf' : 'tanh approximation'})`
        : kernel('activation', a.activation).title;
    lines.push(`${kernel('mlp_type', a.mlp_type).title} with ${act}: ${kernel('mlp_type', a.mlp_type).formula}`);
  }
  const biased = Object.entries(a.bias)
    .filter(([, on]) => on)
    .map(
      ([k]) =>
        ({ qkv: 'q, k, v', o: 'attention output', mlp: 'MLP', lm_head: 'output head' })[
          k as keyof Architecture['bias']
        ],
    );
  if (biased.length) lines.push(`biases on the ${biased.join(', ')} projections (microGPT has none)`);
  if (a.tied_embeddings) lines.push('tied output head: logits = x · wteᵀ (no lm_head matrix)');
  if (!hasPositionTable(a) && hasPositionTable(m) && a.positional_encoding === 'none') lines.push('no wpe table');
  for (const o of a.omitted ?? []) lines.push(`not modelled at this scale: ${o}`);
  let alibi: DifferencesReport['alibi'] = null;
  if (a.positional_encoding === 'alibi') {
    const slopes = alibiSlopes(c.nHead);
    alibi = {
      slopes,
      bias: slopes.map((s) =>
        Array.from({ length: len }, (_, i) => Array.from({ length: len }, (_, j) => (j > i ? null : -s * (i - j)))),
      ),
    };
  }
  return { family: a.family, lines, alibi };
}
