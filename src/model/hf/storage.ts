/**
 * How families store tensors differently from the [out, in] matrices the
 * forward pass reads, one row per quirk: a layout, never a code path. A row
 * names the contract role as stored; `transpose` undoes GPT-2's Conv1D
 * ([in, out]); `split` cuts a fused tensor's rows into the roles the forward
 * pass reads — in consecutive blocks (q rows, then k, then v), or per head
 * (GPT-NeoX: head h holds its q, k and v rows together).
 */
export interface StorageQuirk {
  family: string;
  role: string;
  transpose?: boolean;
  split?: { into: readonly string[]; layout: 'blocks' | 'heads' };
}

const QKV = ['attn_q', 'attn_k', 'attn_v'] as const;
const QKV_BIAS = ['attn_q_bias', 'attn_k_bias', 'attn_v_bias'] as const;

export const STORAGE_QUIRKS: readonly StorageQuirk[] = [
  { family: 'gpt2', role: 'attn_qkv', transpose: true, split: { into: QKV, layout: 'blocks' } },
  { family: 'gpt2', role: 'attn_qkv_bias', split: { into: QKV_BIAS, layout: 'blocks' } },
  { family: 'gpt2', role: 'attn_output', transpose: true },
  { family: 'gpt2', role: 'mlp_up', transpose: true },
  { family: 'gpt2', role: 'mlp_down', transpose: true },
  { family: 'gptneox', role: 'attn_qkv', split: { into: QKV, layout: 'heads' } },
  { family: 'gptneox', role: 'attn_qkv_bias', split: { into: QKV_BIAS, layout: 'heads' } },
  { family: 'phi3', role: 'attn_qkv', split: { into: QKV, layout: 'blocks' } },
  { family: 'phi3', role: 'mlp_gate_up', split: { into: ['mlp_gate', 'mlp_up'], layout: 'blocks' } },
];

/** Rows each role the forward pass reads has, as a shape expression over the contract's size names. */
export const ROWS: Readonly<Record<string, string>> = {
  attn_q: 'heads*head_dim',
  attn_k: 'kv_heads*head_dim',
  attn_v: 'kv_heads*head_dim',
  mlp_gate: 'intermediate',
  mlp_up: 'intermediate',
};

export const quirkOf = (family: string, role: string): StorageQuirk | undefined =>
  STORAGE_QUIRKS.find((q) => q.family === family && q.role === role);
