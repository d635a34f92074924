/**
 * The files the docs' commands name, made on demand in a temporary folder:
 * checkpoints by the very `microgpt train` command a reader would type, model
 * folders and files by the tests' writers of real layouts (sparse copies of
 * published models cost kilobytes; tiny models in a family's Hugging Face
 * layout hold real weights). A page shows a stable placeholder path
 * (`m.safetensors`, `models/gpt2`); its commands run in a folder of its own
 * where each placeholder it names is linked to the file made here.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../../test/helpers/cli.js';
import { hfTensors, tinyNative, writeHfModel, gpt2Layout, writeRandomHf } from '../../test/helpers/hf-models.js';
import {
  CONFIGS,
  gpt2Tensors,
  llama2Q4KMGguf,
  llamaLikeTensors,
  LLAMA2_7B,
  LLAMA32_1B,
  writeModelDir,
} from '../../test/helpers/model-files.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}
/** Runs `microgpt ARGV` in a folder. */
export type Runner = (argv: readonly string[], cwd: string) => Promise<RunResult>;

interface Fixture {
  /** How the file is made, for the pages that list their files. */
  about: string;
  build(path: string, run: Runner, dir: string): Promise<void> | void;
}

/** A checkpoint made by the command a reader would type, in the fixture folder. */
const trained = (args: string[]): Fixture => ({
  about: `microgpt ${args.join(' ')}`,
  async build(_path, run, dir) {
    const r = await run(args, dir);
    if (r.code !== 0) throw new Error(`microgpt ${args.join(' ')} failed: ${r.stderr}`);
  },
});

/** A tiny model of a family in its Hugging Face layout (real weights, seeded), with a character tokenizer.json. */
const tinyFamily = (family: Parameters<typeof tinyNative>[0]): Fixture => ({
  about: `a tiny ${family} model (microGPT's scale, seed 7) in its Hugging Face layout, with a character tokenizer.json`,
  build: async (path) => void writeHfModel(path, await tinyNative(family), family),
});

const NAMES = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia', 'amelia', 'harper', 'evelyn', 'abigail'];
const NOTES = ['the cat sat on the mat', 'a dog ran in the park', 'the sun is warm today'];

export const FIXTURES: Readonly<Record<string, Fixture>> = {
  'm.safetensors': trained(['train', '--out', 'm.safetensors']),
  'deep.safetensors': trained([
    'train',
    '--layers',
    '2',
    '--embd',
    '32',
    '--heads',
    '4',
    '--steps',
    '500',
    '--out',
    'deep.safetensors',
  ]),
  'names.txt': { about: 'ten first names, one per line', build: (p) => writeFileSync(p, NAMES.join('\n') + '\n') },
  'notes.txt': { about: 'three lines of lowercase text', build: (p) => writeFileSync(p, NOTES.join('\n') + '\n') },
  contracts: { about: "the repository's contracts/ folder", build: (p) => symlinkSync(join(ROOT, 'contracts'), p) },
  'models/gpt2': {
    about: "GPT-2 124M's layout and config.json (a sparse file: headers only)",
    build: (p) => writeModelDir(p, CONFIGS.gpt2!, gpt2Tensors()),
  },
  'models/Llama-2-7b-hf': {
    about: "Llama-2-7B's layout in two shards with an index (sparse)",
    build: (p) => writeModelDir(p, CONFIGS['llama-2-7b']!, llamaLikeTensors(LLAMA2_7B), 2),
  },
  'models/Llama-2-7b-hf-partial': {
    about: 'the same with its second shard missing',
    build: (p) => {
      writeModelDir(p, CONFIGS['llama-2-7b']!, llamaLikeTensors(LLAMA2_7B), 2);
      rmSync(join(p, 'model-00002-of-00002.safetensors'));
    },
  },
  'models/Llama-3.2-1B': {
    about: "Llama-3.2-1B's layout (BF16, tied embeddings; sparse)",
    build: (p) => writeModelDir(p, CONFIGS['llama-3.2-1b']!, llamaLikeTensors(LLAMA32_1B)),
  },
  'models/llama-2-7b.Q4_K_M.gguf': {
    about: 'Llama-2-7B Q4_K_M as llama.cpp writes it (sparse GGUF)',
    build: (p) => llama2Q4KMGguf(p),
  },
  'models/gpt2-tiny': {
    about:
      "GPT-2's layout and 50,257-token vocabulary at 2 layers × 4 heads, width 16, random weights, no tokenizer files",
    build: (p) =>
      void writeRandomHf(
        p,
        { model_type: 'gpt2', n_embd: 16, n_layer: 2, n_head: 4, n_positions: 64, vocab_size: 50257 },
        gpt2Layout({ hidden: 16, layers: 2, vocab: 50257, positions: 64 }),
      ),
  },
  'models/llama-tiny': tinyFamily('llama'),
  'models/llama-tiny-tuned': {
    about: 'models/llama-tiny with its final norm scaled by 1.01 and one attention matrix nudged',
    build: async (p) => {
      const model = await tinyNative('llama');
      const tensors = hfTensors(model, 'llama').map((t) => {
        if (t.name === 'model.norm.weight') return { ...t, data: t.data.map((v) => v * 1.01) };
        if (t.name === 'model.layers.0.self_attn.q_proj.weight')
          return { ...t, data: t.data.map((v, i) => (i % 7 === 0 ? v + 0.001 : v)) };
        return t;
      });
      writeHfModel(p, model, 'llama', { tensors });
    },
  },
  'models/pythia-tiny': tinyFamily('gptneox'),
  'models/phi3-tiny': tinyFamily('phi3'),
  'models/gemma-tiny': tinyFamily('gemma'),
  'models/qwen3-tiny': tinyFamily('qwen3'),
};

/** The fixture a command-line word names, if any: the name itself or a path inside it. */
export function fixtureNamed(word: string): string | null {
  for (const name of Object.keys(FIXTURES)) if (word === name || word.startsWith(name + '/')) return name;
  return null;
}

/** Options whose value is a file the command writes: a fixture of that name is not linked, the command makes it. */
const OUTPUTS = new Set(['--out', '--html']);

/** Fixtures made once per run, shared by every page; each page's commands run in a folder of their own. */
export class FixtureStore {
  readonly dir = mkdtempSync(join(tmpdir(), 'microgpt-docs-fixtures-'));
  private readonly made = new Map<string, Promise<void>>();

  constructor(private readonly run: Runner) {}

  private make(name: string): Promise<void> {
    let done = this.made.get(name);
    if (!done) {
      const path = join(this.dir, name);
      mkdirSync(dirname(path), { recursive: true });
      done = Promise.resolve(FIXTURES[name]!.build(path, this.run, this.dir));
      this.made.set(name, done);
    }
    return done;
  }

  /** A fresh folder for one page's commands. */
  workspace(): string {
    return mkdtempSync(join(this.dir, 'page-'));
  }

  /** Links into `cwd` every fixture the command names that is not there yet, unless the command writes it. */
  async prepare(argv: readonly string[], cwd: string): Promise<void> {
    for (let i = 0; i < argv.length; i++) {
      const name = fixtureNamed(argv[i]!);
      if (name === null || existsSync(join(cwd, name)) || OUTPUTS.has(argv[i - 1] ?? '')) continue;
      await this.make(name);
      mkdirSync(dirname(join(cwd, name)), { recursive: true });
      symlinkSync(join(this.dir, name), join(cwd, name));
    }
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
