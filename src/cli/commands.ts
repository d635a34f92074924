import { ContractSet } from '../contracts/index.js';
import { MicrogptError } from '../errors.js';
import { buildInspectReport } from '../explain/inspect.js';
import { buildTraceReport } from '../explain/trace.js';
import { buildEvalReport, type SampleReport } from '../explain/training.js';
import { sampleNames } from '../model/index.js';
import { renderInspectReport } from '../render/inspect.js';
import { renderJson } from '../render/json.js';
import { renderTraceReport } from '../render/trace.js';
import { renderEvalReport, renderSampleReport } from '../render/training.js';
import { corpusFrom } from './corpus.js';
import { extraContractDirs } from './dirs.js';
import { modelFrom } from './model.js';
import { print, stdoutStyle, type OutputOptions } from './output.js';

interface ModelOptions extends OutputOptions {
  model?: string;
  seed: number;
  family?: string;
  contracts?: string[];
}

export async function runEval(opts: ModelOptions & { data?: string }): Promise<number> {
  const src = await modelFrom(opts);
  const { docs, label } = corpusFrom(opts.data);
  const report = buildEvalReport(src.model, src.tokenizer, docs, label, src.weightsFrom);
  print(opts.json ? renderJson('eval', { model: opts.model ?? null, data: label }, report) : renderEvalReport(report, stdoutStyle(opts)));
  return 0;
}

export async function runSample(opts: ModelOptions & { n: number; temperature: number; explain?: boolean }): Promise<number> {
  const src = await modelFrom(opts);
  const names = sampleNames(src.model, src.tokenizer, opts.n, opts.temperature, opts.seed);
  const report: SampleReport = { kind: 'sample', weightsFrom: src.weightsFrom, seed: opts.seed, temperature: opts.temperature, names, explain: opts.explain === true };
  print(opts.json ? renderJson('sample', { model: opts.model ?? null, n: opts.n, temperature: opts.temperature, seed: opts.seed }, report) : renderSampleReport(report, stdoutStyle(opts)));
  return 0;
}

export async function runInspect(path: string | undefined, opts: ModelOptions & { html?: string; metadata?: boolean; verbose?: boolean }): Promise<number> {
  if (path !== undefined && opts.model !== undefined) throw new MicrogptError('MG001', 'give the model as PATH or as --model, not both');
  const target = path ?? opts.model;
  if (target !== undefined && !(await isMicrogptCheckpoint(target))) {
    const { runInspectFile } = await import('./files.js');
    return runInspectFile(target, opts);
  }
  if (opts.metadata || opts.verbose) throw new MicrogptError('MG001', '--metadata and -v are for model files (safetensors, GGUF, folders); a microgpt checkpoint always lists every tensor');
  const src = await modelFrom({ ...opts, model: target });
  const contracts = await ContractSet.load(extraContractDirs(opts.contracts));
  const report = buildInspectReport(src.model, contracts.get(src.family), src);
  if (opts.html !== undefined) {
    const [{ renderInspectHtml }, { writeFileAtomic }] = await Promise.all([import('../render/html.js'), import('../fsutil.js')]);
    const values = new Map([...src.model.params].map(([name, t]) => [name, Array.from(t.data)]));
    writeFileAtomic(opts.html, renderInspectHtml(report, values));
    process.stderr.write(`wrote ${opts.html}\n`);
  }
  print(opts.json ? renderJson('inspect', { model: opts.model ?? null, seed: opts.seed }, report) : renderInspectReport(report, stdoutStyle(opts)));
  return 0;
}

export async function runTrace(text: string, opts: ModelOptions): Promise<number> {
  const src = await modelFrom(opts);
  const report = buildTraceReport(src.model, src.tokenizer, text, src.weightsFrom);
  print(opts.json ? renderJson('trace', { text, model: opts.model ?? null, seed: opts.seed }, report) : renderTraceReport(report, stdoutStyle(opts)));
  return 0;
}

/** A safetensors file whose metadata says format "microgpt": read by the checkpoint loader, which checks every value. */
async function isMicrogptCheckpoint(path: string): Promise<boolean> {
  const { statSync } = await import('node:fs');
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) return false;
  const { withFile, readAt, readSafetensorsHeader } = await import('../formats/index.js');
  const head = withFile(path, (f) => readAt(f, 0, 9));
  if (head.length < 9 || head[8] !== 0x7b) return false;
  return readSafetensorsHeader(path).metadata.get('format') === 'microgpt';
}
