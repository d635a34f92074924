/**
 * The families the float32 path runs, one row each: what transformers'
 * config class assumes when config.json leaves a field out, and the few
 * config keys that differ between families. Everything else — which tensors
 * exist and their shapes, the norm, the MLP, the positions, the block, the
 * embedding scale — is read from the family's contract. A family is added
 * here once a tiny random model in its Hugging Face layout is proven against
 * the native engine (test/model/hf.test.ts).
 */
export interface RunnableFamily {
  /** The contract's family name. */
  family: string;
  /** Keys the activation is read from, first found wins. */
  activationKeys: readonly string[];
  /** transformers' defaults for fields config.json may leave out. */
  defaults: {
    activation: string;
    context: number;
    eps: number;
    tied: boolean;
    /** RoPE base (rope families). */
    theta?: number;
    /** Fraction of each head RoPE rotates (GPT-NeoX's rotary_pct 0.25). */
    rotary?: number;
    /** Gemma's head_dim of 256, when config.json gives none. */
    headDim?: number;
    /** MLP width as a multiple of hidden (GPT-2's n_inner = 4·n_embd). */
    intermediatePerHidden?: number;
  };
  /** When sliding_window applies: whenever set (Mistral, Phi-3), only with use_sliding_window (Qwen), never. */
  window: 'when-set' | 'when-enabled' | 'never';
}

const ROPE = { theta: 10000 } as const;

export const RUNNABLE: readonly RunnableFamily[] = [
  {
    family: 'gpt2',
    activationKeys: ['activation_function'],
    defaults: { activation: 'gelu_new', context: 1024, eps: 1e-5, tied: true, intermediatePerHidden: 4 },
    window: 'never',
  },
  {
    family: 'llama',
    activationKeys: ['hidden_act'],
    defaults: { activation: 'silu', context: 2048, eps: 1e-6, tied: false, ...ROPE },
    window: 'never',
  },
  {
    family: 'mistral',
    activationKeys: ['hidden_act'],
    defaults: { activation: 'silu', context: 131072, eps: 1e-6, tied: false, ...ROPE },
    window: 'when-set',
  },
  {
    family: 'qwen2',
    activationKeys: ['hidden_act'],
    defaults: { activation: 'silu', context: 32768, eps: 1e-6, tied: false, ...ROPE },
    window: 'when-enabled',
  },
  {
    family: 'qwen3',
    activationKeys: ['hidden_act'],
    defaults: { activation: 'silu', context: 32768, eps: 1e-6, tied: false, ...ROPE },
    window: 'when-enabled',
  },
  {
    family: 'gptneox',
    activationKeys: ['hidden_act'],
    defaults: { activation: 'gelu', context: 2048, eps: 1e-5, tied: false, ...ROPE, rotary: 0.25 },
    window: 'never',
  },
  {
    family: 'phi3',
    activationKeys: ['hidden_act'],
    defaults: { activation: 'silu', context: 4096, eps: 1e-5, tied: false, ...ROPE, rotary: 1 },
    window: 'when-set',
  },
  {
    family: 'gemma',
    // Gemma's config.json says hidden_act "gelu" but means the tanh form: transformers reads hidden_activation.
    activationKeys: ['hidden_activation'],
    defaults: { activation: 'gelu_pytorch_tanh', context: 8192, eps: 1e-6, tied: true, ...ROPE, headDim: 256 },
    window: 'never',
  },
  {
    family: 'phi',
    activationKeys: ['hidden_act'],
    defaults: { activation: 'gelu_new', context: 2048, eps: 1e-5, tied: false, ...ROPE, rotary: 0.5 },
    window: 'never',
  },
];

export const runnableFamily = (family: string): RunnableFamily | undefined => RUNNABLE.find((r) => r.family === family);
