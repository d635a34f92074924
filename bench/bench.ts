/**
 * npm run bench: training speed of the default recipe (median of several runs),
 * forward-only tokens/s, peak RSS of `microgpt train`, CLI start-up against
 * `node -e 0`, and steps/s at n_embd 64 and 128. A benchmark, never a test.
 *
 *   npm run bench            text
 *   npm run bench -- --json  one JSON document
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { builtinNames, Gpt, MICROGPT, Tokenizer, trainSteps, type ModelConfig } from '../src/model/index.js';
import { packageRoot } from '../src/paths.js';
import { Graph } from '../src/tensor/index.js';

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
  const hook = "data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss_kb='+process.resourceUsage().maxRSS+'\\n'))";
  const r = spawnSync(process.execPath, ['--import', hook, CLI, 'train', '--no-out'], { encoding: 'utf8' });
  const kb = Number(r.stderr.match(/maxrss_kb=(\d+)/)?.[1]);
  return kb / 1024;
}

function startupMs(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < 11; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, args, { encoding: 'utf8' });
    times.push(performance.now() - t0);
  }
  return median(times);
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
  scale: [64, 128].map((nEmbd) => ({ nEmbd, stepsPerSecond: trainRate({ ...config, nEmbd, nHidden: 4 * nEmbd }, 200) })),
};

if (json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const f = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(`machine: ${result.machine.cpu}, ${result.machine.cores} cores, Node ${result.machine.node}`);
  console.log(`train (default recipe, median of ${runs} × 1000 steps, warmed up): ${f(result.trainStepsPerSecond)} steps/s  [${rates.map(f).join(', ')}]`);
  console.log(`train, first 1000 steps of a fresh process (JIT warming up): ${f(cold)} steps/s`);
  console.log(`forward only: ${f(result.forwardTokensPerSecond)} tokens/s`);
  console.log(`peak RSS of microgpt train: ${result.trainPeakRssMb.toFixed(1)} MB`);
  console.log(`start-up: node -e 0 ${result.startup.nodeMs.toFixed(0)} ms, microgpt explain --kernel gpt2 -v ${result.startup.explainKernelMs.toFixed(0)} ms (${(result.startup.explainKernelMs / result.startup.nodeMs).toFixed(2)}×)`);
  for (const s of result.scale) console.log(`scale: n_embd ${s.nEmbd} (block 16, 1 layer): ${f(s.stepsPerSecond)} steps/s`);
}
