/**
 * The report schemas of `inspect PATH`, `validate`, `diff` and `--memory`,
 * written once in TypeBox: the report types are `Static<>` of these, and
 * schemas/*.schema.json are generated from them. Imported as types only by
 * the code that runs, so the CLI never loads TypeBox.
 */
import { Type, type TSchema } from '@sinclair/typebox';

const N = Type.Number();
const I = Type.Integer();
const S = Type.String();
const B = Type.Boolean();
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Obj = <P extends Record<string, TSchema>>(p: P, description?: string) =>
  Type.Object(p, { additionalProperties: false, ...(description ? { description } : {}) });
const Lits = <T extends string>(...v: T[]) => Type.Union(v.map((x) => Type.Literal(x)));

/** `code`: the error a command that runs the model gives the same defect (e.g. MG054). */
export const ProblemSchema = Obj({ where: S, message: S, code: Type.Optional(S) });
export const FileSummarySchema = Obj({ path: S, bytes: I, headerBytes: I, tensors: I });

export const FileTensorSchema = Obj(
  {
    name: S,
    role: Nullable(S),
    kind: Lits('parameter', 'buffer', 'unknown'),
    layer: Nullable(I),
    expert: Nullable(I),
    shape: Type.Array(I),
    dtype: S,
    elements: I,
    bytes: I,
    file: S,
    /** Where the tensor's data starts in its file (absolute byte offset). */
    offset: I,
    /** The template that matched, in the naming it matched (Hugging Face, GGUF or stacked GGUF). */
    template: Nullable(S),
    expected: Nullable(Type.Array(I)),
    check: Lits('ok', 'mismatch', 'unchecked'),
    note: Nullable(S),
  },
  'one tensor of the file, mapped to its role through the family contract',
);

export const SizeRowSchema = Obj({ field: S, value: N, source: S });
export const DtypeRowSchema = Obj({ dtype: S, tensors: I, elements: I, bytes: I, bitsPerWeight: N, shareOfBytes: N });
export const GroupSchema = Obj({
  /** The family's template, or for a name no template gives, the name with each run of digits as {n}. */
  template: S,
  role: Nullable(S),
  kind: Lits('parameter', 'buffer', 'unknown'),
  count: I,
  /** The first tensor's shape; `shapeVaries` when the group's tensors do not all have it. */
  shape: Type.Array(I),
  shapeVaries: B,
  dtypes: Type.Array(Obj({ dtype: S, count: I })),
  layers: S,
});
export const CheckSchema = Obj({ field: S, ok: B, message: S });

export const FileReportSchema = Obj({
  kind: Type.Literal('model-file'),
  input: S,
  format: Lits('safetensors', 'gguf', 'microgpt'),
  files: Type.Array(FileSummarySchema),
  /** Weights-like files of the folder that are not part of the model (a cache saved beside it): named, not read. */
  ignoredFiles: Type.Array(S),
  totalBytes: I,
  family: Nullable(S),
  displayName: Nullable(S),
  detection: Obj({ via: S, reasons: Type.Array(S) }),
  naming: S,
  sizes: Type.Array(SizeRowSchema),
  tied: Obj({ value: Nullable(B), source: S }),
  tensorCount: I,
  parameterCount: I,
  bufferTensors: I,
  bufferElements: I,
  unknownTensors: I,
  /** Parameters the contract's templates give at the size this file implies. */
  contractParameterCount: Nullable(I),
  dtypes: Type.Array(DtypeRowSchema),
  bitsPerWeight: N,
  gguf: Nullable(
    Obj({
      version: I,
      alignment: I,
      architecture: Nullable(S),
      fileType: Nullable(Obj({ id: I, name: S })),
      metadataCount: I,
      vocabulary: Nullable(I),
    }),
  ),
  stMetadata: Type.Array(Obj({ key: S, value: S })),
  metadata: Nullable(Type.Array(Obj({ key: S, type: S, value: S }))),
  tensors: Type.Array(FileTensorSchema),
  groups: Type.Array(GroupSchema),
  missing: Type.Array(Obj({ name: S, role: S })),
  missingCount: I,
  unknown: Type.Array(S),
  shapeMismatches: Type.Array(
    Obj({ name: S, actual: Type.Array(I), expected: Type.Array(I), expression: S, because: S }),
  ),
  /** Tensors whose shape was compared with the contract, and the mapped ones that could not be (with the first reason). */
  shapesChecked: I,
  shapesUnchecked: Obj({ count: I, firstReason: Nullable(S) }),
  configChecks: Type.Array(CheckSchema),
  problems: Type.Array(ProblemSchema),
  /** The ✗ lines of the checks: shapes, missing tensors, each failed config check, each problem. Non-zero: exit 1. */
  failedChecks: I,
});

export const ValidateReportSchema = Obj({
  kind: Type.Literal('validate'),
  input: S,
  format: S,
  family: Nullable(S),
  ignoredFiles: Type.Array(S),
  checks: Type.Array(Obj({ name: S, ok: B, detail: S, failures: Type.Array(S) })),
  scan: Nullable(
    Obj({
      tensorsScanned: I,
      bytesScanned: I,
      skipped: Type.Array(Obj({ name: S, dtype: S })),
      /** −inf in a cache's hook_attn_scores where key > query: the causal mask, passed. */
      masked: Type.Array(Obj({ name: S, values: I })),
      findings: Type.Array(Obj({ name: S, nan: I, inf: I, allZero: B })),
    }),
  ),
  failedChecks: I,
  sound: B,
});

const DiffSideSchema = Obj({
  input: S,
  format: S,
  family: Nullable(S),
  tensors: I,
  parameters: I,
  /** Defects in the file's headers: the tensors they concern are not compared, and the files are not called identical. */
  problems: Type.Array(ProblemSchema),
});

export const DiffReportSchema = Obj({
  kind: Type.Literal('diff'),
  a: DiffSideSchema,
  b: DiffSideSchema,
  added: Type.Array(Obj({ name: S, shape: Type.Array(I), dtype: S })),
  removed: Type.Array(Obj({ name: S, shape: Type.Array(I), dtype: S })),
  reshaped: Type.Array(Obj({ name: S, a: Type.Array(I), b: Type.Array(I) })),
  retyped: Type.Array(Obj({ name: S, a: S, b: S })),
  same: I,
  configDifferences: Type.Array(Obj({ field: S, a: Nullable(S), b: Nullable(S) })),
  values: Nullable(Type.Array(Obj({ name: S, maxAbsDiff: N, rmse: N, cosine: Nullable(N), identical: B }))),
  /** The compared tensors whose values differ (names, in file order). */
  valuesChanged: Type.Array(S),
  valuesSkipped: Type.Array(Obj({ name: S, why: S })),
  identical: B,
});

export const MemoryReportSchema = Obj({
  kind: Type.Literal('memory'),
  family: S,
  source: S,
  parameters: I,
  weights: Type.Array(Obj({ dtype: S, bytes: I, actual: B })),
  kv: Obj({
    context: I,
    batch: I,
    dtype: S,
    bytesPerElement: N,
    layers: I,
    kvHeads: I,
    headDim: I,
    window: Nullable(I),
    cachedTokens: I,
    bytesPerToken: I,
    bytesPerLayer: I,
    totalBytes: I,
    formula: S,
  }),
  flops: Obj({ matmulParameters: I, attentionTerm: I, perToken: I, formula: S, note: Nullable(S) }),
});
