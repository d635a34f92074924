import { readdirSync } from 'node:fs';
import { quote } from '../clip.js';
import { basename, dirname, join } from 'node:path';
import { MicrogptError } from '../errors.js';
import { recordInputPath } from '../inputs.js';
import { describeBytes, notRegular, readAt, readJsonFile, statPath, withFile } from './file.js';
import { readGgufHeader, type GgufHeader } from './gguf.js';
import { readSafetensorsHeader, readSafetensorsMetadata, type SafetensorsHeader } from './safetensors-header.js';
import { readShardedIndex, type ShardedIndex } from './shards.js';
import { LIMITS, type Problem, type TensorEntry } from './types.js';

export type ModelFormat = 'safetensors' | 'gguf' | 'microgpt';

export interface FileSummary {
  path: string;
  bytes: number;
  headerBytes: number;
  tensors: number;
}

/** Everything the headers of a model say, whatever the format and however many files. Knows no families. */
export interface ModelFiles {
  input: string;
  format: ModelFormat;
  files: FileSummary[];
  tensors: TensorEntry[];
  /** safetensors `__metadata__` of the first file. */
  stMetadata: Map<string, string>;
  gguf: GgufHeader | null;
  index: ShardedIndex | null;
  /** A Hugging Face config.json beside the weights, parsed but not yet interpreted. */
  config: { path: string; json: Record<string, unknown> } | null;
  /** Why a config.json beside the weights was left out (not JSON, not a regular file …), or null. */
  configIssue: string | null;
  problems: Problem[];
  /**
   * Model-like files of the folder that are not part of the model (Hugging
   * Face's rule: the weights are model.safetensors, or the shards its index
   * lists): a cache or a second checkpoint saved beside the weights.
   */
  ignoredFiles: string[];
}

const CONFIG = 'config.json';
const INDEX_SUFFIX = '.safetensors.index.json';

/**
 * What PATH names: a .safetensors file, a sharded model's index, a .gguf file,
 * a config.json, or a folder holding them. Only headers are read.
 */
export interface OpenOptions {
  /** Keep GGUF metadata arrays whole (token lists, merges) instead of a sample. */
  fullArrays?: boolean;
  /**
   * For validate: a shard the index names but the folder lacks, or a header
   * whose reading had to stop (a non-string __metadata__ value), is a problem
   * to report rather than an error (inspect, and the commands that run models).
   */
  validating?: boolean;
}

export function openModelFiles(input: string, opts: OpenOptions = {}): ModelFiles {
  const st = statPath(input, 'MG061');
  if (!st) throw new MicrogptError('MG061', `${input}: no such file or directory`);
  if (st.isDirectory()) return openDirectory(input, opts);
  if (!st.isFile()) throw new MicrogptError('MG061', `${input}: is ${notRegular(st)}; give a model file or folder`);
  if (input.endsWith(INDEX_SUFFIX) || basename(input) === CONFIG) return openDirectory(dirname(input), opts, input);
  const beside = readConfigBeside(dirname(input));
  const f = openSingle(input, beside.config, opts);
  // A cache holds activations: the config.json of the folder it was written into describes the model, not it.
  return f.stMetadata.get('format') === CACHE_FORMAT ? { ...f, config: null } : withConfigIssue(f, beside.issue);
}

/** The __metadata__ format of the activation files `microgpt cache` writes. */
export const CACHE_FORMAT = 'microgpt-cache';

/**
 * A safetensors header as a command reads it: a refusal (a __metadata__ value
 * that is not a string) is one error line for inspect and the commands that
 * run models, and a problem for validate, which reports it as a failed check.
 */
export function openSafetensorsHeader(path: string, validating: boolean): SafetensorsHeader {
  const h = readSafetensorsHeader(path);
  if (h.refused && !validating)
    throw new MicrogptError(
      'MG056',
      `${path}: ${h.refused.where} ${h.refused.message}; the header was not read further`,
    );
  return h.refused
    ? {
        ...h,
        problems: [...h.problems, { ...h.refused, message: `${h.refused.message}; the header was not read further` }],
      }
    : h;
}

/**
 * The `__metadata__` openSafetensorsHeader(path, false) gives, without keeping
 * the tensor entries (which a command that only asks "is this a microgpt
 * checkpoint?" would read and drop: 100,000 records for one answer). What that
 * reader refuses, it refuses here with the same error.
 */
export function openSafetensorsMetadata(path: string): Map<string, string> {
  return readSafetensorsMetadata(path) ?? openSafetensorsHeader(path, false).metadata;
}

function openDirectory(dir: string, opts: OpenOptions, chosen?: string): ModelFiles {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    throw new MicrogptError(
      'MG061',
      `${dir}: cannot list (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  recordModelFolder(dir, names);
  const beside = readConfigBeside(dir);
  return withConfigIssue(openDirectoryWith(dir, names, beside.config, opts, chosen), beside.issue);
}

/** A config.json left out is the first problem, and its reason is kept for the commands that need it. */
const withConfigIssue = (f: ModelFiles, issue: string | null): ModelFiles =>
  issue === null
    ? f
    : {
        ...f,
        configIssue: issue,
        problems: [{ where: CONFIG, message: `ignored: ${issue}`, code: 'MG071' }, ...f.problems],
      };

/** The files of a model folder, read or not by this command: weights, shards, index, config and tokenizer files. */
const MODEL_FOLDER_FILE =
  /^(config|generation_config|tokenizer|tokenizer_config|special_tokens_map|added_tokens|vocab)\.json$|^(merges\.txt|tokenizer\.model)$|\.(safetensors|gguf|safetensors\.index\.json)$/;

/**
 * Records every model file of a folder as an input of this run (inputs.ts), so
 * that no output lands on one even when this command does not open it (the
 * tokenizer with --ids, a tokenizer_config.json).
 */
export function recordModelFolder(dir: string, names?: readonly string[]): void {
  let list = names;
  if (!list) {
    try {
      list = readdirSync(dir);
    } catch {
      return;
    }
  }
  // Beside model.safetensors, another weights file is not the model (a cache written there may be
  // written again); with an index, its shards are unknown until it is read, so every one counts.
  const single = list.includes(HF_SINGLE);
  for (const n of list)
    if (MODEL_FOLDER_FILE.test(n) && !(single && n !== HF_SINGLE && /\.(safetensors|gguf)$/.test(n)))
      recordInputPath(join(dir, n));
}

function openDirectoryWith(
  dir: string,
  names: string[],
  config: ModelFiles['config'],
  opts: OpenOptions,
  chosen?: string,
): ModelFiles {
  const weights = hfWeights(dir, names, chosen);
  if (weights) {
    const files =
      weights.kind === 'index'
        ? openSharded(weights.path, config, opts.validating === true)
        : openSingle(weights.path, config, opts);
    const used = new Set([basename(weights.path), ...files.files.map((f) => basename(f.path))]);
    return { ...files, ignoredFiles: names.filter((n) => WEIGHTS_FILE.test(n) && !used.has(n)) };
  }
  const st = names.filter((n) => n.endsWith('.safetensors'));
  const gguf = names.filter((n) => n.endsWith('.gguf'));
  if (st.length === 1 && gguf.length === 0) return openSingle(join(dir, st[0]), config, opts);
  if (gguf.length === 1 && st.length === 0) return openSingle(join(dir, gguf[0]), config, opts);
  if (st.length + gguf.length === 0) {
    throw new MicrogptError(
      'MG066',
      `${dir}: holds no model file (*.safetensors, *.safetensors.index.json or *.gguf)${config ? '; it has a config.json — for the architecture alone use microgpt explain --kernel ' + join(dir, CONFIG) : ''}`,
    );
  }
  if (st.length > 1 && gguf.length === 0) return openUnindexedShards(dir, st, config, opts.validating === true);
  throw new MicrogptError(
    'MG066',
    `${dir}: holds ${[...st, ...gguf].length} model files and no index (${[...st, ...gguf].slice(0, 4).join(', ')}${st.length + gguf.length > 4 ? ', …' : ''}); name one of them`,
  );
}

const HF_SINGLE = 'model.safetensors';
const HF_INDEX = 'model.safetensors.index.json';
/** A weights file, shard or index: what a folder may hold that is not part of its model. */
const WEIGHTS_FILE = /\.(safetensors|gguf|safetensors\.index\.json)$/;

/**
 * Which file holds a folder's weights, by transformers' from_pretrained rule:
 * model.safetensors, else the shards model.safetensors.index.json lists (any
 * other *.safetensors.index.json when that one is absent, as before); an index
 * named as the input wins. Null when the folder has neither: then a lone
 * .safetensors or .gguf file is the model, and several are read as one.
 */
function hfWeights(
  dir: string,
  names: readonly string[],
  chosen?: string,
): { kind: 'single' | 'index'; path: string } | null {
  if (chosen?.endsWith(INDEX_SUFFIX)) return { kind: 'index', path: chosen };
  if (names.includes(HF_SINGLE)) return { kind: 'single', path: join(dir, HF_SINGLE) };
  const index = names.includes(HF_INDEX) ? HF_INDEX : names.find((n) => n.endsWith(INDEX_SUFFIX));
  return index === undefined ? null : { kind: 'index', path: join(dir, index) };
}

/**
 * The config.json beside the weights, if there is a readable one. A broken one
 * does not stop the weights from being read: it is left out, and said.
 */
function readConfigBeside(dir: string): { config: ModelFiles['config']; issue: string | null } {
  const path = join(dir, CONFIG);
  if (!statPath(path, 'MG071', true)) return { config: null, issue: null };
  let json: unknown;
  try {
    json = readJsonFile(path, LIMITS.configJsonBytes, 'MG071', 'expected a config.json file');
  } catch (e) {
    if (!(e instanceof MicrogptError)) throw e;
    return { config: null, issue: e.message.startsWith(path + ': ') ? e.message.slice(path.length + 2) : e.message };
  }
  if (typeof json === 'object' && json !== null && !Array.isArray(json))
    return { config: { path, json: json as Record<string, unknown> }, issue: null };
  const kind = json === null ? 'null' : Array.isArray(json) ? 'an array' : `a ${typeof json}`;
  return { config: null, issue: `it is ${kind}, not a JSON object` };
}

/** One file of either format, told apart by its first bytes (never by its name). */
function openSingle(path: string, config: ModelFiles['config'], opts: OpenOptions): ModelFiles {
  const head = withFile(path, (f) => readAt(f, 0, 16));
  if (head.length >= 4 && head.toString('latin1', 0, 4) === 'GGUF') {
    const g = readGgufHeader(path, opts);
    return {
      input: path,
      format: 'gguf',
      files: [{ path, bytes: g.fileSize, headerBytes: g.dataStart, tensors: g.tensors.length }],
      tensors: g.tensors,
      stMetadata: new Map(),
      gguf: g,
      index: null,
      config,
      configIssue: null,
      problems: g.problems,
      ignoredFiles: [],
    };
  }
  if (!looksLikeSafetensors(head)) {
    throw new MicrogptError(
      'MG062',
      `${path}: is neither safetensors nor GGUF (${describeBytes(head)}); a safetensors file starts with an 8-byte length and "{", a GGUF file with "GGUF"`,
    );
  }
  const h = openSafetensorsHeader(path, opts.validating === true);
  return fromSafetensors(path, [h], null, config, h.problems);
}

/** Whether a regular file starts as a model file does (GGUF magic, or a safetensors header), whatever its name. */
export function looksLikeModelFile(path: string): boolean {
  const head = withFile(path, (f) => readAt(f, 0, 16));
  return (head.length >= 4 && head.toString('latin1', 0, 4) === 'GGUF') || looksLikeSafetensors(head);
}

/** 8-byte little-endian length, then the JSON header's opening brace. */
function looksLikeSafetensors(head: Buffer): boolean {
  return head.length >= 9 && head[8] === 0x7b;
}

function fromSafetensors(
  input: string,
  headers: SafetensorsHeader[],
  index: ShardedIndex | null,
  config: ModelFiles['config'],
  problems: Problem[],
): ModelFiles {
  const metadata = headers[0]?.metadata ?? new Map<string, string>();
  return {
    input,
    format: metadata.get('format') === 'microgpt' ? 'microgpt' : 'safetensors',
    files: headers.map((h) => ({
      path: h.path,
      bytes: h.fileSize,
      headerBytes: h.dataStart,
      tensors: h.tensors.length,
    })),
    // One file's list as it is: a copy of 100,000 records' pointers would be dropped at once.
    tensors: headers.length === 1 ? headers[0]!.tensors : headers.flatMap((h) => h.tensors),
    stMetadata: metadata,
    gguf: null,
    index,
    config,
    configIssue: null,
    problems,
    ignoredFiles: [],
  };
}

/** A sharded model: the index names a shard for every tensor; each shard is a safetensors file. */
function openSharded(indexPath: string, config: ModelFiles['config'], validating: boolean): ModelFiles {
  const index = readShardedIndex(indexPath);
  const problems: Problem[] = [...index.problems];
  const headers: SafetensorsHeader[] = [];
  const perShard = new Map<string, number>();
  for (const s of index.weightMap.values()) perShard.set(s, (perShard.get(s) ?? 0) + 1);
  for (const shard of index.shards) {
    const path = join(dirname(indexPath), shard);
    if (!statPath(path, 'MG065')) {
      const msg = `is missing (${index.weightMap.size} tensors in ${index.shards.length} shards; ${perShard.get(shard) ?? 0} of them are in this one)`;
      if (!validating) throw new MicrogptError('MG065', `${indexPath}: shard ${quote(shard)} ${msg}`);
      problems.push({ where: `shard ${quote(shard)}`, message: msg, code: 'MG065' });
      continue;
    }
    const h = openSafetensorsHeader(path, validating);
    headers.push(h);
    for (const p of h.problems) problems.push({ ...p, where: `${shard}: ${p.where}` });
  }
  crossCheckIndex(index, headers, problems, headers.length === index.shards.length);
  return fromSafetensors(indexPath, headers, index, config, problems);
}

/** Every tensor where the index says, no tensor in two shards, and total_size equal to the data bytes. */
function crossCheckIndex(
  index: ShardedIndex,
  headers: SafetensorsHeader[],
  problems: Problem[],
  complete: boolean,
): void {
  const where = new Map<string, string>();
  for (const h of headers) {
    const shard = basename(h.path);
    for (const t of h.tensors) {
      const first = where.get(t.name);
      if (first !== undefined)
        problems.push({
          where: `tensor ${quote(t.name)}`,
          message: `is in two shards: ${first} and ${shard}`,
          code: 'MG065',
        });
      else where.set(t.name, shard);
      const listed = index.weightMap.get(t.name);
      if (listed === undefined)
        problems.push({
          where: `tensor ${quote(t.name)}`,
          message: `is in ${shard} but not in the index's weight_map`,
          code: 'MG065',
        });
      else if (listed !== shard)
        problems.push({
          where: `tensor ${quote(t.name)}`,
          message: `the index says ${listed}, but it is in ${shard}`,
          code: 'MG065',
        });
    }
  }
  const present = new Set(headers.map((h) => basename(h.path)));
  for (const [name, shard] of index.weightMap)
    if (!where.has(name) && present.has(shard))
      problems.push({
        where: `tensor ${quote(name)}`,
        message: `the index puts it in ${shard}, which does not hold it`,
        code: 'MG065',
      });
  const data = headers.reduce((s, h) => s + h.tensors.reduce((a, t) => a + t.bytes, 0), 0);
  if (complete && index.totalSize !== null && index.totalSize !== data)
    problems.push({
      where: 'index metadata.total_size',
      message: `is ${index.totalSize} bytes, but the shards' tensors hold ${data}`,
      code: 'MG065',
    });
}

/** Several .safetensors files and no index: read them all, and say that the index is missing. */
function openUnindexedShards(
  dir: string,
  names: string[],
  config: ModelFiles['config'],
  validating: boolean,
): ModelFiles {
  const headers = names.map((n) => openSafetensorsHeader(join(dir, n), validating));
  const problems: Problem[] = [
    {
      where: dir,
      message: `${names.length} .safetensors files and no *.safetensors.index.json; read them all as one model`,
    },
  ];
  const seen = new Map<string, string>();
  for (const h of headers) {
    for (const p of h.problems) problems.push({ ...p, where: `${basename(h.path)}: ${p.where}` });
    for (const t of h.tensors) {
      const first = seen.get(t.name);
      if (first)
        problems.push({
          where: `tensor ${quote(t.name)}`,
          message: `is in two files: ${first} and ${basename(h.path)}`,
          code: 'MG065',
        });
      else seen.set(t.name, basename(h.path));
    }
  }
  return fromSafetensors(dir, headers, null, config, problems);
}
