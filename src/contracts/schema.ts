import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { valuesOf, type Slot } from '../kernels/index.js';

/** The constraint values a contract may name are exactly the kernel registry's. */
const oneOf = (slot: Slot) =>
  Type.Union(
    valuesOf(slot).map((v) => Type.Literal(v)),
    { description: `one of: ${valuesOf(slot).join(', ')}` },
  );
const positive = (description: string) => Type.Integer({ minimum: 1, description });

export const ConstraintsSchema = Type.Object(
  {
    attention_type: oneOf('attention_type'),
    activation: oneOf('activation'),
    norm_type: oneOf('norm_type'),
    mlp_type: oneOf('mlp_type'),
    positional_encoding: oneOf('positional_encoding'),
    has_bias: Type.Boolean(),
    tied_embeddings: Type.Boolean(),
    block_type: Type.Optional(
      Type.Union(
        valuesOf('block_type').map((v) => Type.Literal(v)),
        { description: `one of: ${valuesOf('block_type').join(', ')}; default sequential` },
      ),
    ),
    embedding_scale: Type.Optional(
      Type.Union(
        valuesOf('embedding_scale').map((v) => Type.Literal(v)),
        { description: `one of: ${valuesOf('embedding_scale').join(', ')}; default none` },
      ),
    ),
    gelu_approximation: Type.Optional(
      Type.Union([Type.Literal('tanh'), Type.Literal('none')], {
        description: 'GELU only: "tanh" (gelu_new, gelu_pytorch_tanh) or "none" (exact erf form)',
      }),
    ),
  },
  { additionalProperties: false },
);

/** Constraint values that real members of a family also use (Llama 2's MHA, Llama 3.2's tied embeddings): not a disagreement. */
export const VariantsSchema = Type.Object(
  {
    attention_type: Type.Optional(Type.Array(oneOf('attention_type'), { minItems: 1 })),
    activation: Type.Optional(Type.Array(oneOf('activation'), { minItems: 1 })),
    norm_type: Type.Optional(Type.Array(oneOf('norm_type'), { minItems: 1 })),
    mlp_type: Type.Optional(Type.Array(oneOf('mlp_type'), { minItems: 1 })),
    positional_encoding: Type.Optional(Type.Array(oneOf('positional_encoding'), { minItems: 1 })),
    block_type: Type.Optional(Type.Array(oneOf('block_type'), { minItems: 1 })),
    has_bias: Type.Optional(Type.Array(Type.Boolean(), { minItems: 1 })),
    tied_embeddings: Type.Optional(Type.Array(Type.Boolean(), { minItems: 1 })),
  },
  { additionalProperties: false, description: 'other constraint values that real members of this family use' },
);

export const SizeSchema = Type.Object(
  {
    parameters: positive('declared parameter count'),
    hidden: positive('hidden size (d_model)'),
    layers: positive('number of blocks'),
    heads: positive('query heads (0 is not allowed; use 1 for attention-free families)'),
    kv_heads: positive('key/value heads'),
    intermediate: Type.Integer({ minimum: 0, description: 'MLP hidden width' }),
    vocab: positive('vocabulary size'),
    context: positive('maximum context length'),
    head_dim: Type.Optional(positive('per-head dimension, when not hidden / heads')),
    rope_theta: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'RoPE base' })),
    partial_rotary_factor: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 1,
        description: "partial_rope: the fraction of each head's dimensions that are rotated (GPT-NeoX's rotary_pct)",
      }),
    ),
    norm_eps: Type.Number({ exclusiveMinimum: 0, maximum: 0.1, description: 'epsilon of the norm' }),
    experts: Type.Optional(positive('mixture of experts: routed experts per MoE layer')),
    experts_per_token: Type.Optional(positive('mixture of experts: experts each token is routed to')),
    shared_experts: Type.Optional(positive('mixture of experts: always-on shared experts')),
    moe_intermediate: Type.Optional(positive('mixture of experts: hidden width of one expert')),
    state_size: Type.Optional(positive('state space models: SSM state size per channel')),
    conv_kernel: Type.Optional(positive('state space models: width of the causal convolution')),
    time_step_rank: Type.Optional(positive('state space models: rank of the time-step projection')),
    sliding_window: Type.Optional(positive('attention looks back at most this many tokens (bounds the KV cache)')),
  },
  { additionalProperties: false },
);

export const TensorTemplateSchema = Type.Object(
  {
    role: Type.String({ minLength: 1, description: 'what the tensor does, e.g. attn_q, mlp_down, lm_head' }),
    name: Type.String({
      minLength: 1,
      maxLength: 256,
      description: "the family's own tensor name; {n} stands for the layer index, {e} for the expert index",
    }),
    shape: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
      minItems: 1,
      maxItems: 8,
      description: 'expressions over the size fields, e.g. "kv_heads*head_dim"',
    }),
    gguf: Type.Optional(
      Type.String({ minLength: 1, description: "the same tensor's name in GGUF files (llama.cpp), {n} for the layer" }),
    ),
    count: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'how many such tensors the model has, as an expression (default: layers if the name has {n}, times experts if it has {e})',
      }),
    ),
    gguf_shape: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        description:
          "the shape in GGUF files, outermost first, when llama.cpp stores the tensor differently (e.g. GPT-2's Conv1D weights transposed)",
      }),
    ),
    gguf_stacked: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'per-expert tensors only: the GGUF name of the 3-D tensor holding every expert of a layer ({n} for the layer), shape [experts, ...shape]',
      }),
    ),
    buffer: Type.Optional(
      Type.Boolean({
        description:
          'true for a stored constant that is not a parameter (a causal-mask buffer, rotary frequencies): listed, never counted',
      }),
    ),
    when: Type.Optional(
      Type.Literal('untied', {
        description: '"untied": the tensor exists only when the embeddings are not tied (an output head of its own)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ContractSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    family: Type.String({ pattern: '^[a-z0-9_]+$', description: 'identifier, lowercase' }),
    display_name: Type.String({ minLength: 1 }),
    vendor: Type.String({ minLength: 1 }),
    source: Type.String({ minLength: 1, description: 'where the numbers come from' }),
    architectures: Type.Array(Type.String({ minLength: 1 }), { description: 'Hugging Face architecture classes' }),
    model_type: Type.String({ description: 'Hugging Face model_type' }),
    aliases: Type.Array(Type.String({ minLength: 1 })),
    constraints: ConstraintsSchema,
    // Bounded so that no contract can make a listing or a check grow without limit (real families: ≤ 6 sizes, ≤ 40 templates).
    sizes: Type.Record(Type.String({ minLength: 1, maxLength: 64 }), SizeSchema, {
      minProperties: 1,
      maxProperties: 64,
    }),
    tensors: Type.Array(TensorTemplateSchema, { minItems: 1, maxItems: 1024 }),
    gguf_architectures: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description: "values of general.architecture that llama.cpp writes for this family's GGUF files",
      }),
    ),
    variants: Type.Optional(VariantsSchema),
    notes: Type.Optional(Type.String()),
  },
  { additionalProperties: false, $id: 'https://microgpt.dev/contract.schema.json', title: 'microgpt family contract' },
);

export type Contract = Static<typeof ContractSchema>;
export type Constraints = Static<typeof ConstraintsSchema>;
export type SizeVariant = Static<typeof SizeSchema>;
export type TensorTemplate = Static<typeof TensorTemplateSchema>;

/** The JSON Schema document written to contracts/schema.json (generated; a test keeps them equal). */
export function contractJsonSchema(): TSchema {
  return JSON.parse(JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...ContractSchema }));
}

/** Source of src/contracts/check.generated.ts: TypeBox's compiled check for ContractSchema, as plain code. */
export function generatedChecker(): string {
  const code = TypeCompiler.Code(ContractSchema, [], { language: 'javascript' });
  return [
    '// GENERATED by `npm run schema` from src/contracts/schema.ts — do not edit.',
    '// A fast yes/no check of a contract; the detailed error comes from TypeBox, loaded only on failure.',
    '/* eslint-disable */',
    '// @ts-nocheck',
    `export const checkContract: (value: unknown) => boolean = (function () {\n${code}\n})();`,
    '',
  ].join('\n');
}
