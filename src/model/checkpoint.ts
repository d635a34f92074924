import { readRegularFile, READ_LIMITS } from '../formats/file.js';
import { MicrogptError } from '../errors.js';
import { writeFileAtomic } from '../fsutil.js';
import { Tensor } from '../tensor/index.js';
import type { ModelConfig } from './config.js';
import { KERNELS, valuesOf } from '../kernels/index.js';
import { MICROGPT_ARCHITECTURE, type Architecture } from './architecture.js';
import { Gpt } from './gpt.js';
import { parameterShapes } from './params.js';
import { MAX_HEADER_BYTES, parse, serialize, type DType } from './safetensors.js';
import { scanSafetensorsHeader } from '../formats/safetensors-header.js';
import { MAX_CHARS, Tokenizer } from './tokenizer.js';

export interface CheckpointInfo {
  /** Free-form provenance (steps, seed, data, loss), stored as JSON in the metadata. */
  training?: Record<string, unknown>;
}

export interface LoadedCheckpoint {
  model: Gpt;
  tokenizer: Tokenizer;
  family: string;
  training: Record<string, unknown> | null;
  /** Config fields the file left out and the Hugging Face defaults taken for them, as "n_inner = 4·n_embd = 64". */
  assumed: string[];
}

/** Largest |weight| a checkpoint may hold. */
const MAX_WEIGHT = 1e4;
/** Longest context a checkpoint may claim. */
const MAX_BLOCK = 1024;

const CONFIG_KEYS: Array<keyof ModelConfig> = [
  'vocabSize',
  'nEmbd',
  'nHead',
  'nKvHead',
  'nLayer',
  'blockSize',
  'nHidden',
  'normEps',
  'initStd',
];

/**
 * The config is written with the usual Hugging Face / nanoGPT keys, so Python
 * tools read it; checkpoints from before (camelCase) still load.
 */
const SNAKE: Readonly<Record<keyof ModelConfig, string>> = {
  vocabSize: 'vocab_size',
  nEmbd: 'n_embd',
  nHead: 'n_head',
  nKvHead: 'n_kv_head',
  nLayer: 'n_layer',
  blockSize: 'block_size',
  nHidden: 'n_inner',
  normEps: 'norm_eps',
  initStd: 'init_std',
};
const snakeConfig = (c: ModelConfig): Record<string, number> =>
  Object.fromEntries(CONFIG_KEYS.map((k) => [SNAKE[k], c[k]]));

export function checkpointBytes(
  model: Gpt,
  tokenizer: Tokenizer,
  info: CheckpointInfo,
  dtype: DType = 'F32',
): Uint8Array {
  const tensors = parameterShapes(model.config, model.architecture).map(([name, shape]) => ({
    name,
    shape,
    data: model.param(name).data,
  }));
  const metadata: Record<string, string> = {
    format: 'microgpt',
    family: model.architecture.family,
    config: JSON.stringify(snakeConfig(model.config)),
    architecture: JSON.stringify(model.architecture),
    vocab: tokenizer.chars.join(''),
  };
  if (info.training) metadata.training = JSON.stringify(info.training);
  return serialize(tensors, metadata, dtype);
}

/** Writes the checkpoint atomically (temporary file, then rename). */
export function saveCheckpoint(
  path: string,
  model: Gpt,
  tokenizer: Tokenizer,
  info: CheckpointInfo,
  dtype: DType = 'F32',
): void {
  writeFileAtomic(path, checkpointBytes(model, tokenizer, info, dtype));
}

export function loadCheckpoint(path: string): LoadedCheckpoint {
  const what = '--model takes a .safetensors file written by microgpt train';
  const bytes = readRegularFile(path, { limit: READ_LIMITS.checkpoint, code: 'MG057', what, isDirectory: what });
  return checkpointFromBytes(path, bytes);
}

/** Everything is checked before a model is built: nothing is ever half-loaded. */
export function checkpointFromBytes(file: string, bytes: Uint8Array): LoadedCheckpoint {
  const fail = (code: string, msg: string): never => {
    throw new MicrogptError(code, `${file}: ${msg}`);
  };
  prescan(file, bytes, fail);
  const st = parse(file, bytes);
  const meta = st.metadata;
  if (meta.format !== 'microgpt')
    fail(
      'MG058',
      `metadata format is ${meta.format === undefined ? 'missing' : JSON.stringify(meta.format)}, expected "microgpt"; this file was not written by microgpt train`,
    );
  const { config, assumed } = parseConfig(meta.config, fail);
  const vocab = [...(meta.vocab ?? '')];
  if (meta.vocab === undefined || vocab.length + 1 !== config.vocabSize || new Set(vocab).size !== vocab.length) {
    fail(
      'MG058',
      `metadata vocab has ${vocab.length} distinct characters but config.vocabSize is ${config.vocabSize} (characters + BOS)`,
    );
  }
  const architecture = parseArchitecture(meta.architecture, fail);
  if (config.nHead % config.nKvHead !== 0)
    fail('MG058', `metadata config: nHead ${config.nHead} is not divisible by nKvHead ${config.nKvHead}`);
  const expected = new Map(parameterShapes(config, architecture));
  const got = new Map(st.tensors.map((t) => [t.name, t]));
  const missing = [...expected.keys()].filter((n) => !got.has(n));
  const extra = [...got.keys()].filter((n) => !expected.has(n));
  if (missing.length) fail('MG059', `missing tensor${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  if (extra.length)
    fail('MG059', `unexpected tensor${extra.length > 1 ? 's' : ''} ${extra.map((n) => JSON.stringify(n)).join(', ')}`);
  const params = new Map<string, Tensor>();
  for (const [name, shape] of expected) {
    const t = got.get(name)!;
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
      fail('MG059', `tensor ${name} has shape [${t.shape.join(', ')}], the config needs [${shape.join(', ')}]`);
    // NaN and infinity are not scanned here, as in a model folder (issue 19): inspect and validate
    // show them, and a run stops with MG110 at the first hook point they reach (engine/site.ts).
    // Trained weights are of order 1; a finite value this large overflows the forward pass into an infinite loss.
    const huge = t.data.findIndex((x) => Math.abs(x) > MAX_WEIGHT && Number.isFinite(x));
    if (huge >= 0)
      fail('MG060', `tensor ${name} holds ${t.data[huge]} at index ${huge}; weights must be within ±${MAX_WEIGHT}`);
    params.set(name, Tensor.param(shape, t.data));
  }
  let training: Record<string, unknown> | null = null;
  if (meta.training !== undefined) {
    try {
      training = JSON.parse(meta.training);
    } catch {
      fail('MG058', 'metadata training is not valid JSON');
    }
    if (typeof training !== 'object' || training === null || Array.isArray(training))
      fail('MG058', 'metadata training is not a JSON object');
  }
  return {
    model: new Gpt(config, params, architecture),
    tokenizer: new Tokenizer(vocab),
    family: architecture.family,
    training,
    assumed,
  };
}

/**
 * The header read first by the bounded one-pass reader (formats/), so that
 * what JSON.parse would blow up on never reaches it: nesting deeper than 16
 * levels (MG052), a __metadata__ value that is not a string (MG056, refused
 * unread), a name given twice (which JSON.parse would drop silently), a field
 * an entry should not have, a malformed shape or offset list (MG053). Lengths
 * and the remaining defects are left to the parser, whose messages they have.
 */
function prescan(file: string, bytes: Uint8Array, fail: (code: string, msg: string) => never): void {
  if (bytes.length < 8) return;
  const n = Buffer.from(bytes.buffer, bytes.byteOffset, 8).readBigUInt64LE(0);
  if (n > BigInt(MAX_HEADER_BYTES) || 8 + Number(n) > bytes.length) return;
  const end = 8 + Number(n);
  const scanned = scanSafetensorsHeader(bytes.subarray(8, end), {
    file,
    dataStart: end,
    dataLen: bytes.length - end,
    fail: (msg) => fail('MG052', msg),
    strict: true,
  });
  if (scanned.refused) fail(scanned.refused.code ?? 'MG056', `${scanned.refused.where} ${scanned.refused.message}`);
  const shape = scanned.problems.find((p) => p.code === 'MG053' && !p.message.startsWith('dtype'));
  if (shape) fail('MG053', `${shape.where}: ${shape.message}`);
}

/** The architecture metadata (absent in a plain microGPT checkpoint), checked against the kernel registry. */
function parseArchitecture(text: string | undefined, fail: (code: string, msg: string) => never): Architecture {
  if (text === undefined) return MICROGPT_ARCHITECTURE;
  let a: Record<string, unknown>;
  try {
    a = JSON.parse(text);
  } catch {
    return fail('MG058', 'metadata architecture is not valid JSON');
  }
  if (typeof a !== 'object' || a === null || Array.isArray(a))
    return fail('MG058', 'metadata architecture is not an object');
  for (const slot of ['attention_type', 'activation', 'norm_type', 'mlp_type', 'positional_encoding'] as const) {
    const v = a[slot];
    if (typeof v !== 'string' || !KERNELS.some((k) => k.slot === slot && k.value === v && k.executable)) {
      fail(
        'MG058',
        `metadata architecture.${slot} is ${JSON.stringify(v)}; expected one of ${KERNELS.filter(
          (k) => k.slot === slot && k.executable,
        )
          .map((k) => k.value)
          .join(', ')}`,
      );
    }
  }
  for (const flag of ['tied_embeddings', 'norm_affine', 'embedding_norm', 'final_norm'] as const) {
    if (typeof a[flag] !== 'boolean') fail('MG058', `metadata architecture.${flag} is not true or false`);
  }
  const bias = a.bias as Record<string, unknown> | undefined;
  if (
    typeof bias !== 'object' ||
    bias === null ||
    !['qkv', 'o', 'mlp', 'lm_head'].every((k) => typeof bias[k] === 'boolean')
  )
    fail('MG058', 'metadata architecture.bias is not {qkv, o, mlp, lm_head} of booleans');
  // Slots a checkpoint written before they existed leaves out (it ran the default: sequential, unscaled).
  for (const slot of ['block_type', 'embedding_scale'] as const) {
    const v = a[slot];
    if (v !== undefined && !(typeof v === 'string' && KERNELS.some((k) => k.slot === slot && k.value === v)))
      fail(
        'MG058',
        `metadata architecture.${slot} is ${JSON.stringify(v)}; expected one of ${valuesOf(slot).join(', ')}`,
      );
  }
  if (
    a.rotary_fraction !== undefined &&
    !(typeof a.rotary_fraction === 'number' && a.rotary_fraction > 0 && a.rotary_fraction <= 1)
  )
    fail('MG058', 'metadata architecture.rotary_fraction is not a number in (0, 1]');
  if (typeof a.family !== 'string' || !/^[a-z0-9_]+$/.test(a.family))
    fail('MG058', 'metadata architecture.family is not a family name');
  if (a.gelu_approximation !== undefined && a.gelu_approximation !== 'tanh' && a.gelu_approximation !== 'none')
    fail('MG058', 'metadata architecture.gelu_approximation is not "tanh" or "none"');
  if (a.omitted !== undefined && !(Array.isArray(a.omitted) && a.omitted.every((x) => typeof x === 'string')))
    fail('MG058', 'metadata architecture.omitted is not a list of strings');
  if (
    a.rope_theta !== undefined &&
    !(typeof a.rope_theta === 'number' && a.rope_theta > 1 && Number.isFinite(a.rope_theta))
  )
    fail('MG058', 'metadata architecture.rope_theta is not a number > 1');
  return a as unknown as Architecture;
}

/**
 * What a config written by another tool (a PyTorch script writing nanoGPT's
 * keys) may leave out, and the default taken: Hugging Face GPT2Config's
 * (n_inner = 4·n_embd, layer_norm_epsilon 1e-5, initializer_range 0.02) and
 * one K/V head per head. The five sizes themselves have no default.
 */
const DEFAULTS: ReadonlyArray<[keyof ModelConfig, (c: Record<string, unknown>) => number, (v: number) => string]> = [
  ['nHidden', (c) => 4 * (c.nEmbd as number), (v) => `4·n_embd = ${v}`],
  ['nKvHead', (c) => c.nHead as number, (v) => `n_head = ${v}`],
  ['normEps', () => 1e-5, () => '1e-5'],
  ['initStd', () => 0.02, () => '0.02'],
];

function parseConfig(
  text: string | undefined,
  fail: (code: string, msg: string) => never,
): { config: ModelConfig; assumed: string[] } {
  if (text === undefined) return fail('MG058', 'metadata config is missing');
  let c: Record<string, unknown>;
  try {
    c = JSON.parse(text);
  } catch {
    return fail('MG058', 'metadata config is not valid JSON');
  }
  if (typeof c !== 'object' || c === null) return fail('MG058', 'metadata config is not an object');
  if (Array.isArray(c)) return fail('MG058', 'metadata config is not an object');
  // Either spelling, key by key (own properties only: the keys come from a file).
  const own = (k: string) => Object.hasOwn(c, k) && c[k] !== undefined;
  for (const k of CONFIG_KEYS) if (!own(k) && own(SNAKE[k])) c[k] = c[SNAKE[k]];
  // Checkpoints from before grouped-query attention have no nKvHead, and other tools write only the
  // five sizes: the rest are Hugging Face's defaults, said (after the sizes they derive from are checked).
  const assumed: string[] = [];
  const sizes = CONFIG_KEYS.filter((k) => !DEFAULTS.some(([d]) => d === k));
  if (sizes.every((k) => typeof c[k] === 'number'))
    for (const [k, value, text] of DEFAULTS)
      if (!own(k)) {
        c[k] = value(c);
        assumed.push(`${SNAKE[k]} = ${text(c[k] as number)}`);
      }
  for (const k of CONFIG_KEYS) {
    const v = c[k];
    const integer = k !== 'normEps' && k !== 'initStd';
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v)) || v > 1e6) {
      fail(
        'MG058',
        `metadata config.${SNAKE[k]} is ${JSON.stringify(v)}; expected a positive ${integer ? 'integer' : 'number'}`,
      );
    }
  }
  const config = Object.fromEntries(CONFIG_KEYS.map((k) => [k, c[k]])) as unknown as ModelConfig;
  // What a file may claim is bounded, so no table, page or loop it drives can grow without limit.
  if (config.blockSize > MAX_BLOCK)
    fail('MG058', `metadata config.block_size is ${config.blockSize}; at most ${MAX_BLOCK} positions`);
  if (config.vocabSize > MAX_CHARS + 1)
    fail(
      'MG058',
      `metadata config.vocab_size is ${config.vocabSize}; at most ${MAX_CHARS + 1} (${MAX_CHARS} characters and BOS)`,
    );
  if (config.nEmbd % config.nHead !== 0)
    fail('MG058', `metadata config: nEmbd ${config.nEmbd} is not divisible by nHead ${config.nHead}`);
  if (config.nEmbd * config.nHidden * config.nLayer > 1e8)
    fail('MG058', 'metadata config describes a model too large for this tool');
  return { config, assumed };
}
