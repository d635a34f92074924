/**
 * npm run bench, the commands section (issue 21): a GPT-2-124M-shaped model
 * folder written once per run (random weights N(0, 0.02²) as GPT-2 is
 * initialised, real shapes: 12 layers, 768 wide, 12 heads, 50,257 tokens;
 * F32, and the same in BF16 for the memory figure; no tokenizer files, so
 * GPT-2's own BPE), then each figure side by side with PyTorch
 * (bench/torch_reference.py with /usr/bin/python3) in the same run:
 *
 *   - the forward pass on 64 tokens through the engine on every core, against
 *     PyTorch's forward on the same weights on one thread;
 *   - the whole `explain --attention --ids …(64) --model DIR` command against
 *     the whole PyTorch script (import, load, forward; its default threads);
 *   - the README's `patch` example against PyTorch's loop written as a
 *     TransformerLens user writes it (one full re-run per patch), and the
 *     largest difference between their shares;
 *   - `ablate --text`, `explain --detect`, a 20-token `sample`: seconds
 *     against their goals;
 *   - the peak RSS of loading the BF16 folder against 1.15 × its file + 150 MB.
 *
 * Times are the fastest of a few runs (the machine is shared); every figure
 * comes with its goal and whether it is met.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadHfModel } from '../src/model/hf/load.js';
import { packageRoot } from '../src/paths.js';
import { Rng } from '../src/tensor/index.js';
import { gpt2Layout, writeRandomHf } from '../test/helpers/hf-models.js';

const CLI = join(packageRoot(), 'dist', 'src', 'cli.js');
const TORCH = join(packageRoot(), 'bench', 'torch_reference.py');
const [C, L, H, V, T] = [768, 12, 12, 50257, 64];
/** 2 flops per multiply-add: every projection and MLP of the 12 layers, the tied head on all 64 positions, attention's scores and sums. */
const FORWARD_FLOPS = 2 * T * (L * 12 * C * C + V * C) + L * 2 * 2 * ((T * (T + 1)) / 2) * C;

const PATCH = { clean: 'The Eiffel Tower is in', corrupt: 'The Colosseum is in', target: ' Paris' };
const ABLATE_TEXT = 'the cat sat on the mat';

export interface Figure {
  what: string;
  ours: number;
  oursThreads: number;
  unit: 's' | 'ms' | 'MB';
  theirs: number | null;
  theirThreads: string | null;
  /** ours ÷ theirs, or ours ÷ the budget where no reference runs. */
  ratio: number | null;
  goal: string;
  met: boolean;
  note?: string;
  /** For the forward: its GFLOP/s, shown against the machine's peak. */
  gflops?: number;
}

/** Wall seconds of a process, the fastest of `runs`; its stdout of the last run. */
function wall(cmd: string, args: string[], runs: number, env: NodeJS.ProcessEnv = process.env) {
  let best = Infinity,
    stdout = '',
    status: number | null = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 1 << 28 });
    best = Math.min(best, (performance.now() - t0) / 1000);
    stdout = r.stdout;
    status = r.status;
    if (r.status !== 0)
      throw new Error(`${cmd} ${args.slice(0, 3).join(' ')}…: exit ${r.status}: ${r.stderr.trim().split('\n').pop()}`);
  }
  return { seconds: best, stdout, status };
}

/** Peak RSS (MB) of a CLI command, reported by the process itself at exit. */
function peakRssMb(args: string[]): number {
  const hook =
    "data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss_kb='+process.resourceUsage().maxRSS+'\\n'))";
  const r = spawnSync(process.execPath, ['--import', hook, CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return Number(r.stderr.match(/maxrss_kb=(\d+)/)?.[1]) / 1024;
}

function torchAvailable(): string | null {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  return r.error || r.status !== 0 ? (r.error?.message ?? r.stderr.trim().split('\n').pop() ?? 'no torch') : null;
}

function torchJson(args: string[], oneThread: boolean): Record<string, unknown> {
  const env = { ...process.env };
  if (oneThread) env.OPENBLAS_NUM_THREADS = '1';
  else delete env.OPENBLAS_NUM_THREADS;
  return JSON.parse(wall('/usr/bin/python3', [TORCH, ...args], 1, env).stdout);
}

/** The engine's forward on 64 tokens, every position's logits: fastest of 5 after a warm-up, ms. */
async function engineForwardMs(dir: string, ids: number[], threads: number): Promise<number> {
  const e = await loadHfModel(dir, undefined, { threads });
  try {
    e.run(ids);
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      e.run(ids);
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  } finally {
    e.close();
  }
}

/** GPT-2 BPE ids of the patch example, as the CLI encodes them. */
async function patchIds(dir: string) {
  const e = await loadHfModel(dir, undefined, { threads: 1 });
  try {
    const enc = (t: string) => e.tokenizer!.encode(t);
    const target = enc(PATCH.target);
    if (target.length !== 1) throw new Error(`bench: "${PATCH.target}" is ${target.length} tokens`);
    return { clean: enc(PATCH.clean), corrupt: enc(PATCH.corrupt), target: target[0]! };
  } finally {
    e.close();
  }
}

export async function commandsBench() {
  const threads = availableParallelism();
  const dir = mkdtempSync(join(tmpdir(), 'microgpt-bench-gpt2-'));
  try {
    const config = { model_type: 'gpt2', n_embd: C, n_layer: L, n_head: H, n_positions: 1024, vocab_size: V };
    const layout = gpt2Layout({ hidden: C, layers: L, vocab: V, positions: 1024 });
    const f32 = writeRandomHf(join(dir, 'gpt2'), config, layout, { std: 0.02 });
    const bf16 = writeRandomHf(
      join(dir, 'gpt2-bf16'),
      config,
      layout.map((t) => ({ ...t, dtype: 'BF16' })),
      { std: 0.02 },
    );
    const rng = new Rng(1);
    const ids = Array.from({ length: T }, () => rng.int(V));
    const idList = ids.join(',');
    const noTorch = torchAvailable();
    const figures: Figure[] = [];
    const cli = (args: string[], runs: number) => wall(process.execPath, [CLI, ...args, '--model', f32], runs).seconds;

    // Forward: two rounds alternating with PyTorch, each side's best kept.
    let ours = Infinity,
      theirs = Infinity,
      blas = '';
    for (let round = 0; round < 2; round++) {
      ours = Math.min(ours, await engineForwardMs(f32, ids, threads));
      if (!noTorch) {
        const t = torchJson(['forward', f32, idList], true);
        theirs = Math.min(theirs, 1000 * (t.seconds as number));
        blas = String(t.blas);
      }
    }
    figures.push({
      what: 'GPT-2-124M-shaped forward, 64 tokens (engine)',
      ours,
      oursThreads: threads,
      unit: 'ms',
      theirs: noTorch ? null : theirs,
      theirThreads: noTorch ? null : '1',
      ratio: noTorch ? null : ours / theirs,
      goal: '≤ 1.5× (moonshot 1.0×)',
      met: !noTorch && ours / theirs <= 1.5,
      gflops: FORWARD_FLOPS / ours / 1e6,
    });

    // The whole explain command against the whole script.
    const explainArgs = ['explain', '--attention', '--ids', idList];
    const ex = cli(explainArgs, 3);
    const tex = noTorch ? null : wall('/usr/bin/python3', [TORCH, 'explain', f32, idList], 3).seconds;
    figures.push({
      what: 'explain --attention --ids …(64), whole command',
      ours: ex,
      oursThreads: threads,
      unit: 's',
      theirs: tex,
      theirThreads: noTorch ? null : 'default: OpenBLAS all cores',
      ratio: tex === null ? null : ex / tex,
      goal: '≤ 0.5× the script (import, load, forward)',
      met: tex !== null && ex / tex <= 0.5,
    });

    // patch: our command (JSON, to compare the shares) against PyTorch's loop.
    const p = await patchIds(f32);
    const t0 = performance.now();
    const ourPatch = JSON.parse(
      wall(
        process.execPath,
        [CLI, 'patch', '--model', f32, ...Object.entries(PATCH).flatMap(([k, v]) => [`--${k}`, v]), '--json'],
        1,
      ).stdout,
    );
    const patchSeconds = (performance.now() - t0) / 1000;
    let loop: Record<string, unknown> | null = null;
    if (!noTorch) loop = torchJson(['patch', f32, p.clean.join(','), p.corrupt.join(','), String(p.target)], false);
    let worst = 0;
    if (loop)
      (loop.heads as number[][][]).forEach((layer, l) =>
        layer.forEach((row, h) =>
          row.forEach((v, pos) => {
            const mine = ourPatch.heads.find((r: { layer: number; head: number }) => r.layer === l && r.head === h);
            worst = Math.max(worst, Math.abs(mine.restored[pos] - v));
          }),
        ),
      );
    const loopSeconds = loop ? (loop.loopSeconds as number) : null;
    figures.push({
      what: `patch (the README example, ${loop ? (loop.runs as number) : '~1,100'} patched runs of ${p.clean.length} tokens)`,
      ours: patchSeconds,
      oursThreads: threads,
      unit: 's',
      theirs: loopSeconds,
      theirThreads: loop ? `default: torch ${loop.threads}, OpenBLAS all cores` : null,
      ratio: loopSeconds === null ? null : patchSeconds / loopSeconds,
      goal: '≤ 30 s and ≤ 1.0× the loop',
      met: patchSeconds <= 30 && (loopSeconds === null || patchSeconds <= loopSeconds),
      note: loop ? `shares agree to ${worst.toExponential(1)}` : undefined,
    });

    for (const [what, args, runs, budget] of [
      [`ablate --text "${ABLATE_TEXT}"`, ['ablate', '--text', ABLATE_TEXT], 2, 10],
      ['explain --detect', ['explain', '--detect'], 3, 2],
      [
        'sample --prompt "The cat" --max-tokens 20',
        ['sample', '--prompt', 'The cat', '--max-tokens', '20', '--temperature', '0'],
        3,
        1.5,
      ],
    ] as const) {
      const s = cli([...args], runs);
      figures.push({
        what,
        ours: s,
        oursThreads: threads,
        unit: 's',
        theirs: null,
        theirThreads: null,
        ratio: s / budget,
        goal: `≤ ${budget} s`,
        met: s <= budget,
      });
    }

    const fileMb = statSync(join(bf16, 'model.safetensors')).size / 2 ** 20;
    const rss = peakRssMb(['explain', '--attention', '--ids', '1,2,3', '--layer', '0', '--json', '--model', bf16]);
    const budget = 1.15 * fileMb + 150;
    figures.push({
      what: `peak RSS loading the BF16 folder (${fileMb.toFixed(0)} MB file) and running 3 tokens`,
      ours: rss,
      oursThreads: threads,
      unit: 'MB',
      theirs: null,
      theirThreads: null,
      ratio: rss / budget,
      goal: `≤ 1.15 × file + 150 MB = ${budget.toFixed(0)} MB`,
      met: rss <= budget,
    });
    return { threads, torch: noTorch ? { available: false, reason: noTorch } : { available: true, blas }, figures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (v: number, unit: Figure['unit']) =>
  unit === 'ms' ? `${v.toFixed(0)} ms` : unit === 'MB' ? `${v.toFixed(0)} MB` : `${v.toFixed(2)} s`;

/** The figures as a Markdown table (ready for docs/performance.md), with the machine's peak stated. */
export function printCommandsBench(
  r: Awaited<ReturnType<typeof commandsBench>>,
  peak: { gflops: number; measured: boolean },
): void {
  console.log(
    `commands on a GPT-2-124M-shaped folder (random N(0, 0.02²) weights), microGPT on ${r.threads} threads; PyTorch ${r.torch.available ? `over ${r.torch.blas}` : `skipped (${r.torch.reason})`}; 128-bit SIMD peak ${peak.gflops.toFixed(1)} GFLOP/s a thread (${peak.measured ? 'measured' : 'stated'}), ${(peak.gflops * r.threads).toFixed(1)} on ${r.threads}:`,
  );
  console.log('');
  console.log('| figure | microGPT (threads) | PyTorch (threads) | ratio | goal | met |');
  console.log('|---|---|---|---|---|---|');
  for (const f of r.figures) {
    const ref = f.theirs === null ? '–' : `${fmt(f.theirs, f.unit)} (${f.theirThreads})`;
    const ratio = f.ratio === null ? '–' : `${f.ratio.toFixed(2)}×${f.theirs === null ? ' of the goal' : ''}`;
    const rate = f.gflops
      ? `; ${f.gflops.toFixed(1)} GFLOP/s, ${((100 * f.gflops) / (peak.gflops * f.oursThreads)).toFixed(0)} % of the peak`
      : '';
    const note = rate + (f.note ? `; ${f.note}` : '');
    console.log(
      `| ${f.what} | ${fmt(f.ours, f.unit)} (${f.oursThreads})${note} | ${ref} | ${ratio} | ${f.goal} | ${f.met ? 'yes' : 'no'} |`,
    );
  }
}

/** This section alone: node dist/bench/commands.js (the peak stated, not measured). */
if (process.argv[1] === fileURLToPath(import.meta.url))
  printCommandsBench(await commandsBench(), { gflops: 39, measured: false });
