/**
 * npm run bench: training speed of the default recipe (median of several runs),
 * forward-only tokens/s, peak RSS of `microgpt train`, CLI start-up against
 * `node -e 0`, and steps/s at n_embd 64 and 128; for real model files, header
 * parse times of a 16 GB safetensors layout and of a GGUF with a 128k-token
 * vocabulary, `inspect` against start-up, and inspect's peak RSS; the compute
 * kernels against PyTorch (bench/compute.ts); the engine and whole commands on
 * a GPT-2-124M-shaped folder against PyTorch (bench/commands.ts). A
 * benchmark, never a test.
 *
 *   npm run bench            text
 *   npm run bench -- --json  one JSON document
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGgufHeader, readSafetensorsHeader } from '../src/formats/index.js';
import {
  llamaLikeTensors,
  writeModelDir,
  writeSparseGguf,
  writeSparseSafetensors,
  type GgufKv,
  type GgufTensorSpec,
} from '../test/helpers/model-files.js';
import { builtinNames, Gpt, MICROGPT, Tokenizer, trainSteps, type ModelConfig } from '../src/model/index.js';
import { packageRoot } from '../src/paths.js';
import { Graph, Rng } from '../src/tensor/index.js';
import { commandsBench, printCommandsBench } from './commands.js';
import { computeBench, printComputeBench } from './compute.js';

const json = process.argv.includes('--json');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 7;
const docs = builtinNames();
const tok = Tokenizer.fromDocs(docs);
const CLI = join(packageRoot(), 'dist', 'src', 'cli.js');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function trainRate(config: ModelConfig, steps: number): number {
  const model = Gpt.init(config, 42);
  const t0 = performance.now();
  for (const _ of trainSteps(model, tok, docs, { steps, lr: 0.01, seed: 42 })) void _;
  return steps / ((performance.now() - t0) / 1000);
}

function forwardTokensPerSecond(): number {
  const model = Gpt.init({ ...MICROGPT, vocabSize: tok.vocabSize }, 42);
  const g = new Graph(false);
  const encoded = docs.slice(0, 2000).map((d) => tok.encodeDoc(d).slice(0, MICROGPT.blockSize));
  let tokens = 0;
  const t0 = performance.now();
  for (let rep = 0; rep < 3; rep++) {
    for (const ids of encoded) {
      g.reset();
      model.forward(g, ids);
      tokens += ids.length;
    }
  }
  return tokens / ((performance.now() - t0) / 1000);
}

/** Peak RSS of a real `microgpt train` (1000 steps), reported by the process itself at exit. */
function trainPeakRssMb(): number {
  const hook =
    "data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss_kb='+process.resourceUsage().maxRSS+'\\n'))";
  const r = spawnSync(process.execPath, ['--import', hook, CLI, 'train', '--no-out'], { encoding: 'utf8' });
  const kb = Number(r.stderr.match(/maxrss_kb=(\d+)/)?.[1]);
  return kb / 1024;
}

function startupMs(args: string[], reps = 11): number {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    // Output to /dev/null: spawnSync's 1 MB buffer would kill a child printing a big --json document midway.
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
    times.push(performance.now() - t0);
    // 1 is a command reporting failed checks (inspect of an unknown layout), its output whole all the same.
    if (r.status !== 0 && r.status !== 1) throw new Error(`bench: ${args.join(' ')} exited ${r.status ?? r.signal}`);
  }
  return median(times);
}

/** Median ms of `f` over `reps` calls. */
function timeMs(f: () => unknown, reps = 21): number {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Peak RSS (MB) of a CLI command, reported by the process itself at exit. */
function peakRssMb(args: string[]): number {
  const hook =
    "data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss_kb='+process.resourceUsage().maxRSS+'\\n'))";
  // stdout is dropped: a big --json document would overflow spawnSync's buffer and kill the child before it reports.
  const r = spawnSync(process.execPath, ['--import', hook, CLI, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return Number(r.stderr.match(/maxrss_kb=(\d+)/)?.[1]) / 1024;
}

/**
 * Model files made here, sparse (header, then truncated to full size): Llama-3-8B
 * in BF16 as one 16 GB safetensors file, and the same model as a Q4_K_M-like GGUF
 * with a 128,256-token vocabulary and 280,147 merges in its metadata.
 */
function modelFileBench() {
  const dir = mkdtempSync(join(tmpdir(), 'microgpt-bench-'));
  try {
    const llama3 = {
      hidden: 4096,
      layers: 32,
      heads: 32,
      kvHeads: 8,
      headDim: 128,
      intermediate: 14336,
      vocab: 128256,
      tied: false,
      dtype: 'BF16',
    };
    const st = join(dir, 'llama3-8b.safetensors');
    writeSparseSafetensors(st, llamaLikeTensors(llama3), { format: 'pt' });
    const folder = join(dir, 'llama3-8b');
    writeModelDir(
      folder,
      {
        architectures: ['LlamaForCausalLM'],
        model_type: 'llama',
        hidden_size: 4096,
        intermediate_size: 14336,
        num_attention_heads: 32,
        num_key_value_heads: 8,
        num_hidden_layers: 32,
        vocab_size: 128256,
        max_position_embeddings: 8192,
        rope_theta: 500000,
        rms_norm_eps: 1e-5,
        tie_word_embeddings: false,
      },
      llamaLikeTensors(llama3),
      4,
    );
    const gguf = join(dir, 'llama3-8b.gguf');
    const V = 128256;
    const tensors: GgufTensorSpec[] = [
      { name: 'token_embd.weight', dims: [4096, V], type: 12 },
      { name: 'output_norm.weight', dims: [4096], type: 0 },
      { name: 'output.weight', dims: [4096, V], type: 14 },
    ];
    for (let i = 0; i < 32; i++) {
      for (const [n, d, t] of [
        ['attn_norm', [4096], 0],
        ['attn_q', [4096, 4096], 12],
        ['attn_k', [4096, 1024], 12],
        ['attn_v', [4096, 1024], 14],
        ['attn_output', [4096, 4096], 12],
        ['ffn_norm', [4096], 0],
        ['ffn_gate', [4096, 14336], 12],
        ['ffn_up', [4096, 14336], 12],
        ['ffn_down', [14336, 4096], 14],
      ] as const) {
        tensors.push({ name: `blk.${i}.${n}.weight`, dims: [...d], type: t });
      }
    }
    const tokens = Array.from({ length: V }, (_, i) => `tok_${i.toString(36)}`);
    const merges = Array.from({ length: 280147 }, (_, i) => `m${i % 977} x${i.toString(36)}`);
    const kvs: GgufKv[] = [
      ['general.architecture', 'string', 'llama'],
      ['llama.block_count', 'u32', 32],
      ['llama.embedding_length', 'u32', 4096],
      ['llama.attention.head_count', 'u32', 32],
      ['llama.attention.head_count_kv', 'u32', 8],
      ['llama.feed_forward_length', 'u32', 14336],
      ['llama.context_length', 'u32', 8192],
      ['general.file_type', 'u32', 15],
      ['tokenizer.ggml.model', 'string', 'gpt2'],
      ['tokenizer.ggml.tokens', 'array', 'string', tokens],
      ['tokenizer.ggml.token_type', 'array', 'i32', tokens.map(() => 1)],
      ['tokenizer.ggml.merges', 'array', 'string', merges],
    ];
    writeSparseGguf(gguf, kvs, tensors);
    readSafetensorsHeader(st);
    readGgufHeader(gguf);
    return {
      safetensorsHeaderMs: timeMs(() => readSafetensorsHeader(st)),
      ggufHeaderMs: timeMs(() => readGgufHeader(gguf)),
      inspectFolderMs: startupMs([CLI, 'inspect', folder], 7),
      inspectGgufMs: startupMs([CLI, 'inspect', gguf], 7),
      inspectPeakRssMb: Math.max(peakRssMb(['inspect', folder]), peakRssMb(['inspect', gguf, '--metadata'])),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Issue 19's figures: a file of 100,000 tensors whose names no family knows
 * (the worst case for the listing), as safetensors (a 7.6 MB header) and as
 * GGUF, through inspect, validate and inspect --json: median ms of 3 runs and
 * peak RSS, against the budget of 2 s and 10 × the header + 100 MB.
 */
function manyTensorsBench() {
  const dir = mkdtempSync(join(tmpdir(), 'microgpt-bench-many-'));
  try {
    const N = 100_000;
    const names = Array.from({ length: N }, (_, i) => `t${i}.w${(i * 7919) % 1000}`);
    const st = join(dir, 'many.safetensors');
    writeSparseSafetensors(
      st,
      names.map((name) => ({ name, shape: [1], dtype: 'F32' })),
      { format: 'pt' },
    );
    const gguf = join(dir, 'many.gguf');
    writeSparseGguf(
      gguf,
      [['general.architecture', 'string', 'llama']],
      names.map((name) => ({ name, dims: [32], type: 0 })),
    );
    const headerBytes = {
      safetensors: 8 + Number(readFileSync(st).readBigUInt64LE(0)),
      gguf: readGgufHeader(gguf).dataStart,
    };
    const runs = (path: string) =>
      Object.fromEntries(
        (
          [
            ['inspect', ['inspect', path]],
            ['validate', ['validate', path]],
            ['inspectJson', ['inspect', path, '--json']],
          ] as const
        ).map(([name, args]) => [name, { ms: startupMs([CLI, ...args], 3), peakRssMb: peakRssMb([...args]) }]),
      );
    return { tensors: N, headerBytes, safetensors: runs(st), gguf: runs(gguf) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const config = { ...MICROGPT, vocabSize: tok.vocabSize };
// A cold run is what one `microgpt train` sees; the steady rate is measured after
// V8 has optimised the hot loop (its first ~2,000 steps run slower).
const cold = trainRate(config, 1000);
trainRate(config, 2000);
const rates = Array.from({ length: runs }, () => trainRate(config, 1000));
const result = {
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
  trainStepsPerSecond: median(rates),
  trainRuns: rates,
  trainColdStepsPerSecond: cold,
  forwardTokensPerSecond: forwardTokensPerSecond(),
  trainPeakRssMb: trainPeakRssMb(),
  startup: { nodeMs: startupMs(['-e', '0']), explainKernelMs: startupMs([CLI, 'explain', '--kernel', 'gpt2', '-v']) },
  modelFiles: modelFileBench(),
  manyTensors: manyTensorsBench(),
  scale: [64, 128].map((nEmbd) => ({
    nEmbd,
    stepsPerSecond: trainRate({ ...config, nEmbd, nHidden: 4 * nEmbd }, 200),
  })),
  compute: await computeBench(),
  commands: await commandsBench(),
};

if (json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const f = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(`machine: ${result.machine.cpu}, ${result.machine.cores} cores, Node ${result.machine.node}`);
  console.log(
    `train (default recipe, median of ${runs} × 1000 steps, warmed up): ${f(result.trainStepsPerSecond)} steps/s  [${rates.map(f).join(', ')}]`,
  );
  console.log(`train, first 1000 steps of a fresh process (JIT warming up): ${f(cold)} steps/s`);
  console.log(`forward only: ${f(result.forwardTokensPerSecond)} tokens/s`);
  console.log(`peak RSS of microgpt train: ${result.trainPeakRssMb.toFixed(1)} MB`);
  console.log(
    `start-up: node -e 0 ${result.startup.nodeMs.toFixed(0)} ms, microgpt explain --kernel gpt2 -v ${result.startup.explainKernelMs.toFixed(0)} ms (${(result.startup.explainKernelMs / result.startup.nodeMs).toFixed(2)}×)`,
  );
  const m = result.modelFiles;
  console.log(
    `header parse: Llama-3-8B BF16 safetensors (16 GB, 291 tensors) ${m.safetensorsHeaderMs.toFixed(2)} ms; GGUF with a 128,256-token vocabulary and 280,147 merges ${m.ggufHeaderMs.toFixed(1)} ms`,
  );
  console.log(
    `inspect: a 4-shard Llama-3-8B folder ${m.inspectFolderMs.toFixed(0)} ms, the GGUF ${m.inspectGgufMs.toFixed(0)} ms (${(m.inspectFolderMs / result.startup.explainKernelMs).toFixed(2)}× and ${(m.inspectGgufMs / result.startup.explainKernelMs).toFixed(2)}× explain --kernel gpt2 -v); peak RSS ${m.inspectPeakRssMb.toFixed(0)} MB`,
  );
  const many = result.manyTensors;
  for (const format of ['safetensors', 'gguf'] as const) {
    const budget = (10 * many.headerBytes[format]) / 2 ** 20 + 100;
    const figures = Object.entries(many[format])
      .map(([cmd, x]) => `${cmd} ${(x.ms / 1000).toFixed(2)} s, ${x.peakRssMb.toFixed(0)} MB`)
      .join('; ');
    console.log(
      `100,000 unrecognised tensors, ${format} (header ${(many.headerBytes[format] / 2 ** 20).toFixed(1)} MiB; budget 2 s and ${budget.toFixed(0)} MB): ${figures}`,
    );
  }
  for (const s of result.scale)
    console.log(`scale: n_embd ${s.nEmbd} (block 16, 1 layer): ${f(s.stepsPerSecond)} steps/s`);
  printComputeBench(result.compute);
  printCommandsBench(result.commands, result.compute.peak);
}
