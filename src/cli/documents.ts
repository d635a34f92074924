/**
 * The JSON document each command prints with --json: schemaVersion, the
 * command, its inputs (a closed object per command) and its report, whose
 * schema is the one its builder's type is made from (explain/schema.ts,
 * explain/files/schema.ts). `npm run schema` writes schemas/*.schema.json
 * from here; a test fails when they are stale, and every command's output is
 * validated against them. Used only at build and test time: the CLI never loads this file.
 */
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import {
  DiffReportSchema,
  FileReportSchema,
  MemoryReportSchema,
  ValidateReportSchema,
} from '../explain/files/schema.js';
import {
  AblationReportSchema,
  AttentionReportSchema,
  CacheReportSchema,
  ContractListReportSchema,
  ContractValidateReportSchema,
  ErrorCodesReportSchema,
  EvalReportSchema,
  ExampleReportSchema,
  HeadsReportSchema,
  InspectReportSchema,
  LabReportSchema,
  PatchReportSchema,
  KernelReportSchema,
  SampleReportSchema,
  TensorReportSchema,
  TraceReportSchema,
  TrainReportSchema,
  VsReportSchema,
} from '../explain/schema.js';

const N = Type.Number();
const I = Type.Integer();
const S = Type.String();
const B = Type.Boolean();
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Inputs = <P extends Record<string, TSchema>>(p: P) =>
  Type.Object(p, { additionalProperties: false, description: 'the command line, as the command understood it' });

/** Every document: schemaVersion, the command, its inputs, then the report's own fields. */
function document(command: string, inputs: TObject, report: TObject, title: string): TSchema {
  return Type.Object(
    { schemaVersion: Type.Literal(1), command: Type.Literal(command), inputs, ...report.properties },
    { additionalProperties: false, title, $schema: 'http://json-schema.org/draft-07/schema#' },
  );
}

const KernelInputs = Inputs({ kernel: S, verbose: B, size: Nullable(S), vs: Nullable(S) });

export const OUTPUT_SCHEMAS: Record<string, TSchema> = {
  'inspect-file': document(
    'inspect',
    Inputs({ path: S, family: Nullable(S), metadata: B }),
    FileReportSchema,
    'microgpt inspect PATH --json (a safetensors, GGUF or sharded model)',
  ),
  validate: document(
    'validate',
    Inputs({ path: S, scan: B, family: Nullable(S) }),
    ValidateReportSchema,
    'microgpt validate PATH --json',
  ),
  diff: document('diff', Inputs({ a: S, b: S, values: B }), DiffReportSchema, 'microgpt diff A B --json'),
  'explain-memory': document(
    'explain --kernel --memory',
    Inputs({
      kernel: Type.Union([S, Type.Literal(true)]),
      size: Nullable(S),
      context: Nullable(I),
      batch: I,
      kvDtype: S,
    }),
    MemoryReportSchema,
    'microgpt explain --kernel F --memory --json',
  ),
  'explain-attention': document(
    'explain --attention',
    Inputs({
      text: S,
      ids: Nullable(Type.Array(I)),
      seed: I,
      model: Nullable(S),
      heads: Nullable(S),
      layer: Nullable(I),
    }),
    AttentionReportSchema,
    'microgpt explain --attention --json',
  ),
  'explain-detect': document(
    'explain --detect',
    Inputs({ model: Nullable(S), family: Nullable(S), seed: I }),
    HeadsReportSchema,
    'microgpt explain --detect --json',
  ),
  'explain-tensor': document(
    'explain --tensor',
    Inputs({ tensor: S, family: Nullable(S), len: I, model: Nullable(S) }),
    TensorReportSchema,
    'microgpt explain --tensor --json',
  ),
  'explain-kernel': document('explain --kernel', KernelInputs, KernelReportSchema, 'microgpt explain --kernel --json'),
  'explain-kernel-vs': document(
    'explain --kernel --vs',
    KernelInputs,
    VsReportSchema,
    'microgpt explain --kernel F --vs F2 --json',
  ),
  train: document(
    'train',
    Inputs({ data: S, steps: I, seed: I, lr: N, out: Nullable(S), nLayer: I, nEmbd: I, nHead: I }),
    TrainReportSchema,
    'microgpt train --json',
  ),
  cache: document(
    'cache',
    Inputs({
      text: Nullable(S),
      ids: Nullable(Type.Array(I)),
      model: Nullable(S),
      family: Nullable(S),
      names: Type.Array(S),
      list: B,
      out: Nullable(S),
    }),
    CacheReportSchema,
    'microgpt cache --json',
  ),
  eval: document('eval', Inputs({ model: Nullable(S), data: S }), EvalReportSchema, 'microgpt eval --json'),
  sample: document(
    'sample',
    Inputs({
      model: Nullable(S),
      n: I,
      temperature: N,
      seed: I,
      prompt: Nullable(S),
      ids: Nullable(Type.Array(I)),
      maxTokens: I,
    }),
    SampleReportSchema,
    'microgpt sample --json',
  ),
  inspect: document('inspect', Inputs({ model: Nullable(S), seed: I }), InspectReportSchema, 'microgpt inspect --json'),
  trace: document(
    'trace',
    Inputs({
      text: Nullable(S),
      ids: Nullable(Type.Array(I)),
      names: Nullable(Type.Array(S)),
      model: Nullable(S),
      seed: I,
      lens: B,
    }),
    TraceReportSchema,
    'microgpt trace --json',
  ),
  'contracts-list': document(
    'contracts list',
    Inputs({ contracts: Type.Array(S) }),
    ContractListReportSchema,
    'microgpt contracts list --json',
  ),
  'contracts-validate': document(
    'contracts validate',
    Inputs({ files: Type.Array(S) }),
    ContractValidateReportSchema,
    'microgpt contracts validate --json',
  ),
  ablate: document(
    'ablate',
    Inputs({
      model: Nullable(S),
      family: Nullable(S),
      data: Nullable(S),
      text: Nullable(S),
      heads: Nullable(S),
      seed: I,
    }),
    AblationReportSchema,
    'microgpt ablate --json',
  ),
  patch: document(
    'patch',
    Inputs({ model: Nullable(S), family: Nullable(S), clean: S, corrupt: S, target: S, seed: I }),
    PatchReportSchema,
    'microgpt patch --json',
  ),
  lab: document(
    'lab',
    Inputs({ lab: S, nLayer: I, steps: I, seed: I, every: I, html: Nullable(S) }),
    LabReportSchema,
    'microgpt lab induction --json',
  ),
  'explain-errors': document(
    'explain --errors',
    Inputs({ code: Nullable(S) }),
    ErrorCodesReportSchema,
    'microgpt explain MGnnn / explain --errors --json',
  ),
  example: document('example', Inputs({ name: Nullable(S), seed: I }), ExampleReportSchema, 'microgpt example --json'),
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
