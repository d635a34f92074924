/**
 * What each hook point is, in words, for people: hook names are data (the
 * engine's vocabulary); how a screen describes them lives here.
 */
import { parseHook, type Point } from '../engine/hooks.js';

const LABELS: Record<Point, string> = {
  hook_embed: 'token embedding (wte)',
  hook_pos_embed: 'position embedding (wpe)',
  'ln_embed.hook_scale': 'embedding norm: scale',
  'ln_embed.hook_normalized': 'embedding norm: normalised',
  'ln_final.hook_scale': 'final norm: scale',
  'ln_final.hook_normalized': 'final norm: normalised',
  hook_logits: 'logits',
  hook_resid_pre: 'residual stream in',
  'ln1.hook_scale': 'attention norm: scale',
  'ln1.hook_normalized': 'attention norm: normalised',
  'attn.hook_q': 'queries',
  'attn.hook_k': 'keys',
  'attn.hook_v': 'values',
  'attn.hook_rot_q': 'queries after RoPE',
  'attn.hook_rot_k': 'keys after RoPE',
  'attn.hook_attn_scores': 'attention scores',
  'attn.hook_pattern': 'attention pattern',
  'attn.hook_z': 'head outputs (before W_o)',
  hook_attn_out: 'attention output (after W_o)',
  hook_resid_mid: 'residual after attention',
  'ln2.hook_scale': 'MLP norm: scale',
  'ln2.hook_normalized': 'MLP norm: normalised',
  'mlp.hook_pre': 'MLP pre-activation',
  'mlp.hook_pre_linear': 'MLP up projection (gated)',
  'mlp.hook_post': 'MLP activation',
  hook_mlp_out: 'MLP output',
  hook_resid_post: 'residual stream out',
};

/** What a hook point is, whatever its layer: "attention pattern" for attn.hook_pattern. */
export const pointLabel = (point: Point): string => LABELS[point];

/** "layer 0 attention pattern" for blocks.0.attn.hook_pattern; the name itself when it is not a hook point. */
export function hookLabel(name: string): string {
  const h = parseHook(name);
  if (!h) return name;
  return h.layer === null ? LABELS[h.point] : `layer ${h.layer} ${LABELS[h.point]}`;
}
