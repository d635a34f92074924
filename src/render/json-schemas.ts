/**
 * JSON Schemas of every command's --json output, written with TypeBox and
 * generated into schemas/*.schema.json by `npm run schema` (a test fails when
 * the files are stale, and every command's output is validated against them).
 * Used only at build and test time: the CLI never loads this file.
 */
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import {
  DiffReportSchema,
  FileReportSchema,
  MemoryReportSchema,
  ValidateReportSchema,
} from '../explain/files/schema.js';

const N = Type.Number();
const I = Type.Integer();
const S = Type.String();
const B = Type.Boolean();
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Obj = <P extends Record<string, TSchema>>(p: P) => Type.Object(p, { additionalProperties: false });
const Open = <P extends Record<string, TSchema>>(p: P) => Type.Object(p, { additionalProperties: true });
const Matrix = Type.Array(Type.Array(N));

/** Every document: schemaVersion, the command, its inputs, then the report. */
function document(command: string, kind: string, fields: Record<string, TSchema>, title: string): TSchema {
  return Type.Object(
    {
      schemaVersion: Type.Literal(1),
      command: Type.Literal(command),
      inputs: Open({}),
      kind: Type.Literal(kind),
      ...fields,
    },
    { additionalProperties: false, title, $schema: 'http://json-schema.org/draft-07/schema#' },
  );
}

const Stats = Obj({ count: I, mean: N, std: N, min: N, max: N, l2: N, zeros: N });
const Architecture = Obj({
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
const Invariant = Obj({
  id: Type.Union([Type.Literal('row0'), Type.Literal('upper'), Type.Literal('rowsum')]),
  statement: S,
  reason: S,
  holds: B,
  tolerance: N,
  worst: Obj({ deviation: N, layer: I, head: I, row: I, col: I }),
});
const Token = Obj({ pos: I, id: I, label: S });
const HeadSummary = Obj({ layer: I, head: I, previous: N, self: N, bos: N, entropy: N, chance: N, label: S, score: N });
const Pipeline = Type.Array(Obj({ operation: S, slot: Nullable(S), value: S, kernel: S, formula: S, executable: B }));
const Mask = Obj({
  kind: Type.Literal('mask'),
  len: I,
  maskValue: N,
  runs: Type.Literal('fused'),
  fused: Obj({
    grid: Type.Array(Type.Array(Type.Union([Type.Literal('attends'), Type.Literal('skipped')]))),
    skippedWeight: N,
  }),
  reference: Obj({ grid: Matrix }),
  facts: Obj({ expOfMaskF64: N, expOfMaskF32: N, fullyMaskedWithInfinity: Nullable(N) }),
});
const VsCell = Type.Union([S, N, Type.Null()]);
const VsRow = Obj({ key: S, a: VsCell, b: VsCell, same: B });
const Candidate = Obj({ id: I, label: S, p: N, pT: N });
const Kernel = {
  family: S,
  displayName: S,
  vendor: S,
  source: S,
  architectures: Type.Array(S),
  aliases: Type.Array(S),
  referenceFamily: S,
  resolvedVia: S,
  input: S,
  config: Nullable(
    Obj({
      derivations: Type.Array(Obj({ key: S, value: S, because: S })),
      warnings: Type.Array(S),
      variants: Type.Array(S),
      missing: Type.Array(S),
    }),
  ),
  notes: Nullable(S),
  pipeline: Pipeline,
  constraints: Type.Array(
    Obj({
      key: S,
      value: S,
      reference: S,
      verdict: Type.Union(['same', 'same-kind', 'simpler', 'more-complex', 'different'].map((v) => Type.Literal(v))),
    }),
  ),
  sameConstraints: Type.Array(S),
  verbose: Nullable(
    Obj({
      sizes: Type.Array(Open({ name: S, parameters: I, hidden: I, layers: I, heads: I, kv_heads: I, head_dim: N })),
      size: S,
      tensors: Type.Array(
        Obj({ role: S, template: S, name: S, perLayer: B, shape: Type.Array(I), count: I, copies: I }),
      ),
      layers: I,
      computedParameters: I,
      declaredParameters: Nullable(I),
      parameterGap: Nullable(N),
    }),
  ),
};

/** A report's own schema as a document's fields (its `kind` is set by document()). */
const fieldsOf = (schema: TObject): Record<string, TSchema> =>
  Object.fromEntries(Object.entries(schema.properties).filter(([k]) => k !== 'kind'));

export const OUTPUT_SCHEMAS: Record<string, TSchema> = {
  'inspect-file': document(
    'inspect',
    'model-file',
    fieldsOf(FileReportSchema),
    'microgpt inspect PATH --json (a safetensors, GGUF or sharded model)',
  ),
  validate: document('validate', 'validate', fieldsOf(ValidateReportSchema), 'microgpt validate PATH --json'),
  diff: document('diff', 'diff', fieldsOf(DiffReportSchema), 'microgpt diff A B --json'),
  'explain-memory': document(
    'explain --kernel --memory',
    'memory',
    fieldsOf(MemoryReportSchema),
    'microgpt explain --kernel F --memory --json',
  ),
  'explain-attention': document(
    'explain --attention',
    'attention',
    {
      text: S,
      seed: I,
      weightsFrom: S,
      architecture: Architecture,
      equation: S,
      equationTerms: Type.Array(S),
      tokens: Type.Array(Token),
      model: Obj({ layers: I, heads: I }),
      layers: Type.Array(
        Obj({
          layer: I,
          heads: Type.Array(
            Obj({ head: I, rows: Type.Array(Obj({ pos: I, weights: Type.Array(N), note: Nullable(S) })) }),
          ),
        }),
      ),
      invariants: Type.Array(Invariant),
      allInvariantsHold: B,
      differences: Nullable(
        Obj({
          family: S,
          lines: Type.Array(S),
          alibi: Nullable(Obj({ slopes: Type.Array(N), bias: Type.Array(Type.Array(Type.Array(Nullable(N)))) })),
        }),
      ),
      headSummary: Nullable(Obj({ probeSize: I, fromPosition: I, lift: N, heads: Type.Array(HeadSummary) })),
    },
    'microgpt explain --attention --json',
  ),
  'explain-tensor': document(
    'explain --tensor',
    'tensor',
    {
      family: Nullable(S),
      name: S,
      via: Type.Union(['template', 'gguf', 'pattern', 'mask', 'model'].map((v) => Type.Literal(v))),
      template: Nullable(S),
      alsoIn: Type.Array(S),
      layer: Nullable(I),
      role: S,
      info: Obj({ title: S, stage: S, formula: S }),
      shape: Nullable(Type.Array(I)),
      count: Nullable(I),
      stored: B,
      mask: Nullable(Mask),
      values: Nullable(Obj({ weightsFrom: S, stats: Stats })),
    },
    'microgpt explain --tensor --json',
  ),
  'explain-kernel': document('explain --kernel', 'kernel', Kernel, 'microgpt explain --kernel --json'),
  'explain-kernel-vs': document(
    'explain --kernel --vs',
    'kernel-vs',
    {
      a: Obj({ kind: Type.Literal('kernel'), ...Kernel }),
      b: Obj({ kind: Type.Literal('kernel'), ...Kernel }),
      rows: Type.Array(Obj({ key: S, a: S, b: S, same: B })),
      sizes: Obj({ a: S, b: S, rows: Type.Array(VsRow) }),
      pipeline: Type.Array(VsRow),
      tensors: Nullable(Type.Array(VsRow)),
    },
    'microgpt explain --kernel F --vs F2 --json',
  ),
  train: document(
    'train',
    'train',
    {
      family: S,
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
    },
    'microgpt train --json',
  ),
  eval: document(
    'eval',
    'eval',
    { weightsFrom: S, data: S, documents: I, meanLoss: N, perplexity: N, uniformLoss: N, inSample: B },
    'microgpt eval --json',
  ),
  sample: document(
    'sample',
    'sample',
    {
      weightsFrom: S,
      seed: I,
      temperature: N,
      greedy: B,
      endToken: S,
      explain: B,
      names: Type.Array(
        Obj({ text: S, steps: Type.Array(Obj({ pos: I, chosen: Candidate, top: Type.Array(Candidate) })) }),
      ),
    },
    'microgpt sample --json',
  ),
  inspect: document(
    'inspect',
    'inspect',
    {
      weightsFrom: S,
      family: S,
      training: Nullable(Open({})),
      architecture: Architecture,
      tensors: Type.Array(Obj({ name: S, role: S, shape: Type.Array(I), stats: Stats })),
      parameterCount: I,
      pipeline: Pipeline,
    },
    'microgpt inspect --json',
  ),
  trace: document(
    'trace',
    'trace',
    {
      text: S,
      weightsFrom: S,
      tokens: Type.Array(Token),
      stages: Type.Array(Obj({ name: S, shape: Type.Array(I), stats: Stats, sparsity: Nullable(N) })),
      predictions: Type.Array(
        Obj({ pos: I, input: S, target: S, pTarget: N, top: Type.Array(Obj({ label: S, p: N })) }),
      ),
      loss: N,
    },
    'microgpt trace --json',
  ),
  'contracts-list': document(
    'contracts list',
    'contracts-list',
    {
      families: Type.Array(
        Obj({ family: S, displayName: S, vendor: S, file: S, constraints: Open({}), sizes: Type.Array(S) }),
      ),
    },
    'microgpt contracts list --json',
  ),
  'contracts-validate': document(
    'contracts validate',
    'contracts-validate',
    {
      results: Type.Array(Obj({ file: S, ok: B, family: Nullable(S), error: Nullable(S) })),
      allValid: B,
    },
    'microgpt contracts validate --json',
  ),
  'explain-errors': document(
    'explain --errors',
    'error-codes',
    {
      codes: Type.Array(Obj({ code: Type.String({ pattern: '^MG\\d{3}$' }), title: S, causes: Type.Array(S), fix: S })),
    },
    'microgpt explain MGnnn / explain --errors --json',
  ),
  example: document(
    'example',
    'example',
    {
      examples: Type.Array(Obj({ name: S, description: S })),
      ran: Nullable(S),
      sections: Type.Array(Obj({ title: S, reports: Type.Array(Open({ kind: S })) })),
    },
    'microgpt example --json',
  ),
};

/** The text of schemas/<name>.schema.json. */
export function outputSchemaFiles(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(OUTPUT_SCHEMAS).map(([name, schema]) => [
      `${name}.schema.json`,
      JSON.stringify(schema, null, 2) + '\n',
    ]),
  );
}
