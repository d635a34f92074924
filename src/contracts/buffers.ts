/**
 * Stored constants that are not parameters, by how their names end (any family):
 * rotary frequencies saved by older transformers versions, GPT-2's and
 * GPT-NeoX's masked-fill value, and llama.cpp's rope scaling factors.
 */
export const GENERIC_BUFFERS: ReadonlyArray<{ suffix: string; exact: boolean; role: string }> = [
  { suffix: '.rotary_emb.inv_freq', exact: false, role: 'rope_frequencies' },
  { suffix: '.attn.masked_bias', exact: false, role: 'attn_mask_fill' },
  { suffix: '.attention.masked_bias', exact: false, role: 'attn_mask_fill' },
  { suffix: 'rope_freqs.weight', exact: true, role: 'rope_frequencies' },
  { suffix: 'rope_factors_long.weight', exact: true, role: 'rope_frequencies' },
  { suffix: 'rope_factors_short.weight', exact: true, role: 'rope_frequencies' },
];

export function genericBuffer(name: string): string | undefined {
  return GENERIC_BUFFERS.find((b) => (b.exact ? name === b.suffix : name.endsWith(b.suffix)))?.role;
}
