/** The runnable examples, by name, in the order `microgpt example` lists them. */
export const EXAMPLES: ReadonlyArray<{ name: string; description: string }> = [
  {
    name: 'explain_attention',
    description:
      'the explain-attention chapter: mechanics, weights for "mar", invariants, causal mask, production families',
  },
];
