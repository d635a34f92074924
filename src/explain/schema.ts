/**
 * The schema of every report explain/ builds, written once in TypeBox: each
 * report type is `Static<>` of its schema here (the builders import these as
 * types only, so the CLI never loads TypeBox), and schemas/*.schema.json are
 * generated from them with each command's inputs (cli/documents.ts). The
 * model-file reports (inspect PATH, validate, diff, --memory) live beside
 * their builders in explain/files/schema.ts.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { SizeSchema } from '../contracts/schema.js';
import { SLOTS } from '../kernels/types.js';

const N = Type.Number();
const I = Type.Integer();
const S = Type.String();
const B = Type.Boolean();
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Obj = <P extends Record<string, TSchema>>(p: P, description?: string) =>
  Type.Object(p, { additionalProperties: false, ...(description ? { description } : {}) });
const Lits = <T extends string>(...v: T[]) => Type.Union(v.map((x) => Type.Literal(x)));
const Matrix = Type.Array(Type.Array(N));
const SlotSchema = Lits(...SLOTS);

export const StatsSchema = Obj({
  count: I,
  mean: N,
  std: N,
  min: N,
  max: N,
  l2: N,
  zeros: Type.Number({ description: 'share of entries that are exactly zero (ReLU sparsity)' }),
  /** Entries that are NaN, and ±infinite: left out of the figures above (which are those of the finite entries). */
  nan: I,
  inf: I,
});

export const ArchitectureReportSchema = Obj({
  family: S,
  attentionType: S,
  attentionTitle: S,
  heads: I,
  kvHeads: I,
  headDim: I,
  totalAttnDim: I,
  scale: N,
  layers: I,
  nEmbd: I,
  blockSize: I,
  vocabSize: I,
  parameters: I,
});

export const InvariantResultSchema = Obj({
  id: Lits('row0', 'upper', 'rowsum'),
  statement: S,
  reason: S,
  holds: B,
  worst: Obj({ deviation: N, layer: I, head: I, row: I, col: I }, 'the largest deviation found, and where'),
  tolerance: N,
});

const TokenSchema = Obj({ pos: I, id: I, label: S });

export const HeadSummarySchema = Obj({
  layer: I,
  head: I,
  previous: Type.Number({ description: 'mean weight on the previous token over the scored positions' }),
  self: N,
  bos: N,
  entropy: Type.Number({ description: 'mean row entropy over ln(i + 1): 1 is uniform over what the row can see' }),
  chance: Type.Number({ description: 'what uniform attention would score on any one position (mean of 1/(i + 1))' }),
  label: Lits('previous-token', 'self', 'BOS', 'broad'),
  score: Type.Number({ description: 'the winning mean weight, or the entropy for a broad head' }),
});

export const HeadSummaryReportSchema = Obj({
  probeSize: I,
  fromPosition: I,
  lift: N,
  heads: Type.Array(HeadSummarySchema),
});

export const DifferencesReportSchema = Obj({
  family: S,
  lines: Type.Array(S),
  alibi: Nullable(
    Obj(
      { slopes: Type.Array(N), bias: Type.Array(Type.Array(Type.Array(Nullable(N)))) },
      "ALiBi's bias per head: bias[h][i][j] = −m_h·(i − j) for j ≤ i, null above the diagonal",
    ),
  ),
});

export const AttentionRowSchema = Obj({
  pos: I,
  weights: Type.Array(N),
  note: Nullable(S),
  top: Type.Array(Obj({ pos: I, weight: N }), { description: 'the strongest keys of this query, strongest first' }),
});

export const AttentionReportSchema = Obj({
  kind: Type.Literal('attention'),
  text: S,
  seed: I,
  weightsFrom: Type.String({ description: 'a checkpoint path, or "random initialization (…)"' }),
  architecture: ArchitectureReportSchema,
  equation: Type.String({ description: 'the attention equation as this family computes it' }),
  equationTerms: Type.Array(S),
  tokens: Type.Array(TokenSchema),
  model: Obj({ layers: I, heads: I }),
  compact: Type.Boolean({
    description:
      "long input (over 16 tokens): the text view names each query's strongest key beside its row and draws the heads as thumbnails instead of one heatmap each",
  }),
  headsShown: Type.Integer({ description: 'heads in `layers` (fewer than layers × heads after --heads/--layer)' }),
  layers: Type.Array(Obj({ layer: I, heads: Type.Array(Obj({ head: I, rows: Type.Array(AttentionRowSchema) })) }), {
    description: 'layers[l].heads[h].rows[q]: only the selected layers and heads (invariants cover all)',
  }),
  invariants: Type.Array(InvariantResultSchema),
  allInvariantsHold: B,
  differences: Nullable(DifferencesReportSchema),
  headSummary: Nullable(HeadSummaryReportSchema),
});

export const MaskReportSchema = Obj({
  kind: Type.Literal('mask'),
  len: I,
  maskValue: N,
  runs: Type.Literal('fused', { description: 'the path the model runs' }),
  fused: Obj(
    { grid: Type.Array(Type.Array(Lits('attends', 'skipped'))), skippedWeight: N },
    'the fused kernel run on equal scores: the cells it scores and the ones it never computes',
  ),
  reference: Obj({ grid: Matrix }, 'the values the reference path (addCausalMask) adds to the scores'),
  facts: Obj({
    expOfMaskF64: N,
    expOfMaskF32: N,
    fullyMaskedWithInfinity: Type.Union([N, Type.Null()], { description: 'NaN, which JSON writes as null' }),
  }),
});

export const RoleInfoSchema = Obj({ title: S, stage: S, formula: S });

export const TensorReportSchema = Obj({
  kind: Type.Literal('tensor'),
  family: Nullable(S),
  name: S,
  via: Lits('template', 'gguf', 'pattern', 'mask', 'model'),
  template: Nullable(S),
  alsoIn: Type.Array(S),
  layer: Nullable(I),
  role: S,
  info: RoleInfoSchema,
  shape: Nullable(Type.Array(I)),
  count: Nullable(I),
  stored: B,
  mask: Nullable(MaskReportSchema),
  values: Nullable(Obj({ weightsFrom: S, stats: StatsSchema })),
});

export const PipelineRowSchema = Obj({
  operation: S,
  slot: Nullable(SlotSchema),
  value: S,
  kernel: Type.String({ description: 'the kernel as people read it: "mha (multi-head attention)", "biases"' }),
  formula: S,
  executable: B,
});

export const ConstraintComparisonSchema = Obj({
  key: SlotSchema,
  value: S,
  reference: S,
  verdict: Lits('same', 'same-kind', 'simpler', 'more-complex', 'different'),
});

export const TensorRowSchema = Obj({
  role: S,
  template: S,
  name: S,
  perLayer: B,
  shape: Type.Array(I),
  count: I,
  copies: Type.Integer({ description: 'tensors the template stands for: per layer, per expert, or `count`' }),
});

const DerivationSchema = Obj({
  key: Type.Union([SlotSchema, Type.Literal('gelu_approximation')]),
  value: S,
  because: S,
});

export const KernelReportSchema = Obj({
  kind: Type.Literal('kernel'),
  family: S,
  displayName: S,
  vendor: S,
  source: S,
  architectures: Type.Array(S),
  aliases: Type.Array(S),
  referenceFamily: S,
  resolvedVia: Lits('family', 'alias', 'architecture', 'model_type', 'contract file', 'config.json'),
  input: S,
  config: Nullable(
    Obj({
      derivations: Type.Array(DerivationSchema),
      warnings: Type.Array(S),
      variants: Type.Array(S),
      missing: Type.Array(S),
    }),
  ),
  notes: Nullable(S),
  pipeline: Type.Array(PipelineRowSchema),
  constraints: Type.Array(ConstraintComparisonSchema),
  sameConstraints: Type.Array(S),
  verbose: Nullable(
    Obj({
      sizes: Type.Array(Type.Composite([Obj({ name: S }), SizeSchema, Obj({ head_dim: I })])),
      size: S,
      tensors: Type.Array(TensorRowSchema),
      layers: I,
      computedParameters: I,
      declaredParameters: Nullable(I),
      parameterGap: Nullable(N),
    }),
  ),
});

const VsCell = Type.Union([S, N, Type.Null()]);
export const VsRowSchema = Obj({ key: S, a: VsCell, b: VsCell, same: B });

export const VsReportSchema = Obj({
  kind: Type.Literal('kernel-vs'),
  a: KernelReportSchema,
  b: KernelReportSchema,
  rows: Type.Array(Obj({ key: SlotSchema, a: S, b: S, same: B })),
  sizes: Obj({ a: S, b: S, rows: Type.Array(VsRowSchema) }),
  pipeline: Type.Array(VsRowSchema),
  tensors: Nullable(Type.Array(VsRowSchema)),
  differing: Obj({ constraints: I, sizes: I, pipeline: I }, 'rows that differ, per section'),
});

export const TrainReportSchema = Obj({
  kind: Type.Literal('train'),
  family: S,
  size: Obj({ layers: I, embd: I, heads: I, kvHeads: I, parameters: I }),
  data: S,
  documents: I,
  vocab: S,
  seed: I,
  lr: N,
  stepsRequested: I,
  stepsDone: I,
  interrupted: B,
  seconds: N,
  stepsPerSecond: N,
  losses: Type.Array(N),
  curve: Obj({ bucket: I, values: Type.Array(N) }),
  recentLoss: N,
  recentWindow: I,
  corpusLoss: N,
  uniformLoss: N,
  vocabSize: I,
  out: Nullable(S),
  samples: Type.Array(S),
  samplesTemperature: N,
});

export const EvalReportSchema = Obj({
  kind: Type.Literal('eval'),
  family: S,
  weightsFrom: S,
  data: S,
  documents: I,
  tokens: Type.Integer({ description: 'next-token predictions scored' }),
  meanLoss: Type.Number({ description: 'mean −ln P(next token) over every predicted token, in nats' }),
  unit: Type.String({ description: 'what meanLoss is a mean of, and its unit' }),
  perplexity: N,
  uniformLoss: Type.Number({ description: 'ln(vocab): the loss of a model that knows nothing' }),
  inSample: Type.Boolean({ description: 'the data is the corpus the checkpoint was trained on' }),
  interrupted: Type.Boolean({ description: 'stopped early (Ctrl-C): the figures are of the documents finished' }),
});

const CandidateSchema = Obj({ id: I, label: S, p: N, pT: N });

export const SampleReportSchema = Obj({
  kind: Type.Literal('sample'),
  family: S,
  weightsFrom: S,
  tokenizer: Type.Union([S, Type.Null()], { description: 'where the vocabulary comes from; null when ids were given' }),
  names: Type.Boolean({
    description: 'each sample is a whole name, ended by endToken (microGPT) rather than a continuation',
  }),
  seed: I,
  temperature: N,
  greedy: B,
  maxTokens: I,
  endToken: Type.Union([S, Type.Null()], { description: 'the token that ends a sample, if the model has one' }),
  explain: B,
  prompt: Type.Array(Obj({ id: I, label: S })),
  samples: Type.Array(
    Obj({
      text: Type.Union([S, Type.Null()], {
        description: 'the sample decoded (a name: without BOS); null without a tokenizer',
      }),
      stop: Lits('eos', 'max-tokens', 'context', 'interrupted'),
      steps: Type.Array(
        Obj({
          pos: Type.Integer({ description: 'the position whose prediction drew this token' }),
          chosen: CandidateSchema,
          top: Type.Array(CandidateSchema),
        }),
      ),
    }),
  ),
  interrupted: Type.Boolean({
    description: 'stopped early (Ctrl-C): the samples drawn so far, the last one cut where it stood',
  }),
});

export const InspectReportSchema = Obj({
  kind: Type.Literal('inspect'),
  weightsFrom: S,
  family: S,
  training: Nullable(Type.Record(S, Type.Unknown())),
  architecture: ArchitectureReportSchema,
  tensors: Type.Array(Obj({ name: S, role: S, shape: Type.Array(I), stats: StatsSchema })),
  parameterCount: I,
  pipeline: Type.Array(PipelineRowSchema),
  /** Tensors holding NaN or infinity: each a ✗ line; non-zero: exit 1. */
  failedChecks: I,
});

const TargetFields = {
  pTarget: Type.Union([N, Type.Null()], { description: 'P(target); null where the position has no target' }),
  targetRank: Type.Union([I, Type.Null()], {
    description:
      "the target's rank, 1 the likeliest (1 + the tokens more likely than it); null where there is no target",
  }),
};
const TopTokens = Type.Array(Obj({ label: S, p: N }));

export const TraceReportSchema = Obj({
  kind: Type.Literal('trace'),
  text: S,
  weightsFrom: S,
  vocab: Type.Integer({ description: 'tokens in the vocabulary: what a rank is out of' }),
  tokens: Type.Array(TokenSchema),
  stages: Type.Array(Obj({ name: S, shape: Type.Array(I), stats: StatsSchema, sparsity: Nullable(N) }), {
    description: 'every hook point in forward order, or those --names matched',
  }),
  predictions: Type.Array(
    Obj({ pos: I, input: S, target: Type.Union([S, Type.Null()]), ...TargetFields, top: TopTokens }),
    { description: 'every position; the last of a text has no target (null target fields)' },
  ),
  targets: Type.String({ description: 'what each position is asked to predict' }),
  lens: Type.Union(
    [
      Type.Array(
        Obj({
          after: S,
          positions: Type.Array(Obj({ pos: I, top: TopTokens, ...TargetFields })),
        }),
      ),
      Type.Null(),
    ],
    { description: 'with --lens: the residual stream after each stage read out as next-token probabilities' },
  ),
  unit: Type.String({ description: 'what the loss is of: a name (microGPT) or a text' }),
  loss: Type.Number({
    description: 'mean −ln P(target) over the positions with a target, in nats: the number eval computes for this text',
  }),
  interrupted: Type.Boolean({ description: 'stopped early (Ctrl-C): the lens holds the stages read out so far' }),
});

export const ContractListReportSchema = Obj({
  kind: Type.Literal('contracts-list'),
  families: Type.Array(
    Obj({
      family: S,
      displayName: S,
      vendor: S,
      file: S,
      constraints: Obj(Object.fromEntries(SLOTS.map((k) => [k, S])) as Record<(typeof SLOTS)[number], typeof S>),
      sizes: Type.Array(S),
    }),
  ),
});

export const ContractValidateReportSchema = Obj({
  kind: Type.Literal('contracts-validate'),
  results: Type.Array(Obj({ file: S, ok: B, family: Nullable(S), error: Nullable(S) })),
  invalid: I,
  allValid: B,
});

export const ErrorCodesReportSchema = Obj({
  kind: Type.Literal('error-codes'),
  codes: Type.Array(Obj({ code: Type.String({ pattern: '^MG\\d{3}$' }), title: S, causes: Type.Array(S), fix: S })),
});

export const ExampleReportSchema = Obj({
  kind: Type.Literal('example'),
  examples: Type.Array(Obj({ name: S, description: S })),
  ran: Nullable(S),
  sections: Type.Array(
    Obj({ title: S, reports: Type.Array(Type.Union([AttentionReportSchema, MaskReportSchema, KernelReportSchema])) }),
  ),
});

const HeadScoresSchema = Obj({ layer: I, head: I, previous: N, duplicate: N, induction: N, firstToken: N });

export const HeadsReportSchema = Obj({
  kind: Type.Literal('heads'),
  family: S,
  weightsFrom: S,
  layers: I,
  heads: I,
  input: Obj(
    { seed: I, sequences: I, half: I, bos: Nullable(I), first: Type.Array(I) },
    'the scored input: [BOS] + r + r for seeded random tokens r of length `half`, `sequences` of them',
  ),
  scoring: S,
  detectors: Type.Array(
    Obj({ name: Lits('previous-token', 'duplicate-token', 'induction', 'first-token'), definition: S }),
  ),
  scores: Type.Array(HeadScoresSchema),
  top: Type.Array(Obj({ detector: S, heads: Type.Array(Obj({ layer: I, head: I, score: N })) })),
  interrupted: Type.Boolean({
    description: 'stopped early (Ctrl-C): the scores are means over the sequences finished (input.sequences)',
  }),
});

const ComponentSchema = Obj({ layer: I, head: Type.Union([I, Type.Null()], { description: "null: the layer's MLP" }) });
const AblationResult = {
  zero: Type.Number({ description: 'mean loss with the output set to 0' }),
  mean: Type.Number({ description: 'mean loss with the output set to its mean over the data, per position' }),
  zeroDelta: N,
  meanDelta: N,
};

/** A fixed probe of a corpus: one name in every `every`, `used` of `of`. */
export const ProbeSchema = Obj({
  used: I,
  of: Type.Integer({ description: 'names in the corpus; eval scores them all' }),
  every: Type.Integer({ description: 'one name in every this many' }),
  countForAll: Type.Union([I, Type.Null()], {
    description: "the -n that makes the probe the whole corpus (eval's number), null when -n cannot go that high",
  }),
});

export const AblationReportSchema = Obj({
  kind: Type.Literal('ablation'),
  family: S,
  weightsFrom: S,
  data: S,
  documents: I,
  layers: I,
  heads: I,
  clean: Type.Number({
    description:
      "mean next-token loss over the documents, nothing ablated: eval's definition, so eval on the same documents prints the same",
  }),
  sample: Type.Union([ProbeSchema, Type.Null()], {
    description: 'the documents are a probe of the corpus (microGPT names, -n); null when they are all of it',
  }),
  unit: Type.String({ description: 'what every loss here is: nats per predicted token (mean −ln P(next token))' }),
  rows: Type.Array(Obj({ layer: I, head: Type.Union([I, Type.Null()]), ...AblationResult }), {
    description: 'every head and MLP alone, the largest zero-ablation loss increase first',
  }),
  together: Type.Union([Obj({ components: Type.Array(ComponentSchema), ...AblationResult }), Type.Null()]),
  interrupted: Type.Boolean({ description: 'stopped early (Ctrl-C): rows hold the layers finished' }),
  layersDone: Type.Integer({ description: 'layers whose heads and MLP were all measured' }),
});

export const PatchReportSchema = Obj({
  kind: Type.Literal('patch'),
  family: S,
  weightsFrom: S,
  clean: Obj({ text: S, tokens: Type.Array(S) }),
  corrupt: Obj({ text: S, tokens: Type.Array(S) }),
  target: Obj({ id: I, label: S }),
  cleanLogit: Type.Number({ description: "the target's logit at the last position, clean input" }),
  corruptLogit: N,
  layers: I,
  heads: Type.Array(
    Obj({
      layer: I,
      head: I,
      restored: Type.Array(N, { description: 'per position: (patched − corrupt) / (clean − corrupt)' }),
    }),
  ),
  residual: Type.Array(
    Obj({
      layer: Type.Integer({ description: 'the stream entering this layer (n_layer: leaving the last)' }),
      restored: Type.Array(N),
    }),
  ),
  interrupted: Type.Boolean({ description: 'stopped early (Ctrl-C): heads and residual hold the layers finished' }),
});

export const LabReportSchema = Obj({
  kind: Type.Literal('lab'),
  config: Obj({
    vocab: I,
    layers: I,
    width: I,
    batch: I,
    lr: N,
    minK: I,
    maxK: I,
    theta: N,
    seed: I,
    steps: I,
    evalK: I,
    evalSequences: I,
  }),
  threshold: Type.Number({ description: 'the repeated-half loss below which induction counts as learned (½ ln V)' }),
  uniformLoss: N,
  phase: Type.Union([Obj({ step: I, seconds: N }), Type.Null()], {
    description: 'when the repeated half first fell below the threshold',
  }),
  seconds: N,
  points: Type.Array(
    Obj({
      step: I,
      trainLoss: N,
      firstHalf: Type.Number({ description: 'evaluation loss on the first (random) copy' }),
      repeatedHalf: Type.Number({ description: 'evaluation loss on the repeated copy' }),
      previous: Type.Array(N, { description: "per layer, its head's previous-token score" }),
      induction: Type.Array(N, { description: "per layer, its head's induction score" }),
    }),
  ),
  final: Obj({ inductionLayer: I, previousLayer: I, induction: Type.Array(N), previous: Type.Array(N) }),
  composition: Type.Array(
    Obj(
      { knockedOut: I, induction: Type.Array(N), repeatedHalf: N, destroys: B },
      "a layer's head knocked out, the others re-measured",
    ),
  ),
  heldOut: Obj(
    {
      k: I,
      ids: Type.Array(I, {
        description:
          '[BOS, x1..xk, x1..xk], drawn from a random stream of its own (not the training or evaluation batches)',
      }),
      bos: I,
      attention: Type.Array(Matrix, { description: "attention[l][q][key]: layer l's head after training" }),
      knockedOut: Type.Array(
        Obj({ layer: I, attention: Type.Array(Matrix) }, "every layer's pattern with this layer's head knocked out"),
      ),
    },
    "every head's attention on one held-out repeated sequence",
  ),
  learned: B,
  stepsRun: Type.Integer({ description: 'training steps run: config.steps, or fewer when stopped' }),
  interrupted: Type.Boolean({
    description: 'stopped early (Ctrl-C): the figures are of the model after stepsRun steps',
  }),
});

export const CacheReportSchema = Obj({
  kind: Type.Literal('cache'),
  family: S,
  weightsFrom: S,
  text: Type.Union([S, Type.Null()], { description: 'the text run, or null when ids were given' }),
  tokens: Type.Array(TokenSchema),
  patterns: Type.Array(S, {
    description: '--names patterns (* matches any characters, dots included); empty: every point',
  }),
  points: Type.Array(
    Obj({
      name: Type.String({ description: 'the hook name, also the tensor name in the file' }),
      axes: Type.Array(S, { description: 'what each axis is (batch, pos, head, d_head, d_model …)' }),
      shape: Type.Union([Type.Array(I), Type.Null()], {
        description: "TransformerLens's cache shape for a batch of one; null when no input was given (--list)",
      }),
      bytes: Type.Union([I, Type.Null()]),
    }),
  ),
  bytes: Type.Union([I, Type.Null()], { description: 'tensor data to write, float32; null without an input' }),
  out: Type.Union([S, Type.Null()], { description: 'the file written; null with --list' }),
});
