import { kernel } from '../kernels/index.js';
import {
  alibiSlopes,
  blockTypeOf,
  hasPositionTable,
  MICROGPT,
  rotaryDims,
  MICROGPT_ARCHITECTURE,
  type Architecture,
  type ModelConfig,
} from '../model/index.js';
import type { Static } from '@sinclair/typebox';
import type { DifferencesReportSchema } from './schema.js';

export type DifferencesReport = Static<typeof DifferencesReportSchema>;

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

const BIAS_PLACES: Record<keyof Architecture['bias'], string> = {
  qkv: 'q, k, v',
  o: 'attention output',
  mlp: 'MLP',
  lm_head: 'output head',
};
const biasedIn = (x: Architecture) =>
  (Object.keys(BIAS_PLACES) as Array<keyof Architecture['bias']>).filter((k) => x.bias[k]).map((k) => BIAS_PLACES[k]);
const oneOrNone = (on: boolean) => (on ? 'one' : 'none');

/**
 * How a family's tiny model differs from microGPT. Both sides are read from
 * the architectures (and microGPT's config), never written in: what microGPT
 * "has" is microGPT's own value.
 */
export function buildDifferences(a: Architecture, c: ModelConfig, len: number): DifferencesReport | null {
  const m = MICROGPT_ARCHITECTURE;
  if (a.family === m.family) return null;
  const lines: string[] = [];
  if (c.nKvHead !== c.nHead)
    lines.push(`${kvSharing(c.nHead, c.nKvHead)}; microGPT: ${kvSharing(MICROGPT.nHead, MICROGPT.nKvHead)}`);
  if (a.positional_encoding !== m.positional_encoding) {
    const table = hasPositionTable(a)
      ? ''
      : `; there is no position table (microGPT's is ${kernel('positional_encoding', m.positional_encoding).title})`;
    const why = {
      rope: `RoPE (θ = ${a.rope_theta}): q and k are rotated by their position before the scores${table}`,
      partial_rope: `partial RoPE (θ = ${a.rope_theta}): the first ${rotaryDims(c.nEmbd / c.nHead, a.rotary_fraction)} of each head's ${c.nEmbd / c.nHead} dimensions of q and k are rotated by their position (the family rotates ${Math.round((a.rotary_fraction ?? 1) * 100)}%, at least one pair); the rest carry no position${table}`,
      alibi: `ALiBi: −m_h·(i − j) is added to each head's scores (slopes below)${table}`,
      none: `no positions at all: order comes only from the causal mask${table}`,
      absolute: `absolute position embeddings (a table added to the token embedding), the same kind as microGPT's ${kernel('positional_encoding', m.positional_encoding).title}`,
    }[a.positional_encoding];
    if (why) lines.push(why);
  }
  if (a.norm_type !== m.norm_type || a.norm_affine !== m.norm_affine) {
    const weights = (x: Architecture) =>
      x.norm_affine ? ` with learned ${x.norm_type === 'layernorm' ? 'γ and β' : 'γ'}` : ' without weights';
    lines.push(
      `${kernel('norm_type', a.norm_type).title}${weights(a)}: ${kernel('norm_type', a.norm_type).formula}; microGPT: ${kernel('norm_type', m.norm_type).title}${weights(m)}`,
    );
  }
  if (blockTypeOf(a) !== blockTypeOf(m)) {
    const k = kernel('block_type', blockTypeOf(a));
    lines.push(`${k.title}: ${k.formula} (microGPT: ${kernel('block_type', blockTypeOf(m)).formula})`);
  }
  if ((a.embedding_scale ?? 'none') !== (m.embedding_scale ?? 'none')) {
    const k = kernel('embedding_scale', a.embedding_scale ?? 'none');
    lines.push(`${k.title}: ${k.formula} (microGPT: unscaled)`);
  }
  if (a.embedding_norm !== m.embedding_norm)
    lines.push(
      `${a.embedding_norm ? 'a' : 'no'} norm right after the embedding (microGPT has ${oneOrNone(m.embedding_norm)})`,
    );
  if (a.final_norm !== m.final_norm)
    lines.push(
      `${a.final_norm ? 'a' : 'no'} final norm before the output head (microGPT has ${oneOrNone(m.final_norm)})`,
    );
  if (a.mlp_type !== m.mlp_type || a.activation !== m.activation) {
    const act =
      a.activation === 'gelu'
        ? `GELU (${a.gelu_approximation === 'none' ? 'exact erf' : 'tanh approximation'})`
        : kernel('activation', a.activation).title;
    lines.push(`${kernel('mlp_type', a.mlp_type).title} with ${act}: ${kernel('mlp_type', a.mlp_type).formula}`);
  }
  const biased = biasedIn(a);
  const ours = biasedIn(m);
  if (biased.join() !== ours.join())
    lines.push(
      `biases on the ${biased.length ? biased.join(', ') : 'no'} projections (microGPT: ${ours.length ? `on the ${ours.join(', ')}` : 'none'})`,
    );
  if (a.tied_embeddings !== m.tied_embeddings)
    lines.push(
      `${kernel('tied_embeddings', String(a.tied_embeddings)).title}: ${kernel('tied_embeddings', String(a.tied_embeddings)).formula} (microGPT: ${kernel('tied_embeddings', String(m.tied_embeddings)).title})`,
    );
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
