/**
 * microgpt explain: one mode at a time — attention, the head detectors, a
 * tensor, a family's kernels (and memory), or an error code. Each mode is its
 * own module, loaded when it runs.
 */
import { Argument, Option } from 'commander';
import { examples, type CommandModule } from '../../command.js';
import { integerIn } from '../../options.js';
import {
  contractsOption,
  familyOption,
  FORCE_HTML,
  forceOption,
  headsOption,
  htmlOption,
  idsOption,
  modelOption,
  outputOptions,
  seedOption,
  THREADS_FILE_ONLY,
  threadsOption,
} from '../../presets.js';
import type { UsageRules } from '../../usage.js';
import type { ExplainOptions } from './types.js';

export const EXPLAIN_MODES = [
  ['--attention <text>', 'per-head attention weights of the model on [BOS, text…], with the invariants checked'],
  ['--detect', 'every head scored as a previous-token, duplicate-token, induction and first-token head'],
  ['--tensor <name>', 'role, shape and formula of one tensor (attn_mask: the causal mask)'],
  ['--kernel <family>', "a family's kernel pipeline and constraints, compared with microGPT"],
  ['MGnnn | --errors', 'what an error code means, its usual causes and the fix (or the list of codes)'],
] as const;

export function explainModesText(): string {
  return [
    'microgpt explain: choose one mode:',
    ...EXPLAIN_MODES.map(([flag, what]) => `  ${flag.padEnd(20)} ${what}`),
    'e.g. microgpt explain --attention mar    (see microgpt explain --help)',
  ].join('\n');
}

const RULES: UsageRules = {
  excludes: [
    { options: ['CODE', '--errors'], why: 'CODE explains one code, --errors lists them all' },
    { options: ['--seed', '--model'], why: '--seed makes an untrained model; --model has its weights' },
    { options: ['TEXT', '--ids'], what: 'the input' },
    { options: ['FAMILY', '--model'], what: 'what --kernel explains' },
  ],
  needs: {
    '--html': { with: ['--attention'], why: 'or use microgpt inspect --html' },
    '--force': { with: ['--html'], why: 'it lets an existing file be replaced' },
    '--context': { with: ['--memory'] },
    '--batch': { with: ['--memory'] },
    '--kv-dtype': { with: ['--memory'] },
    '--size': { with: ['--verbose', '--memory', '--vs'], why: 'it picks the size they show' },
  },
  modes: {
    list: [
      {
        name: '--attention',
        triggers: ['--attention'],
        options: [
          'TEXT',
          '--ids',
          '--heads',
          '--html',
          '--force',
          '--layer',
          '--seed',
          '--model',
          '--family',
          '--threads',
        ],
      },
      { name: '--detect', triggers: ['--detect'], options: ['--model', '--family', '--seed', '--threads'] },
      { name: '--tensor', triggers: ['--tensor'], options: ['--len', '--family', '--model', '--seed'] },
      {
        name: '--kernel',
        triggers: ['--kernel'],
        options: ['FAMILY', '--verbose', '--size', '--vs', '--memory', '--context', '--batch', '--kv-dtype', '--model'],
      },
      { name: 'error codes', triggers: ['CODE', '--errors'], options: [] },
    ],
    common: ['--json', '--color', '--no-color', '--contracts'],
  },
  fileOnly: {
    ...THREADS_FILE_ONLY,
    '--ids': 'goes with --model DIR (a Hugging Face model folder); microGPT and the tiny families take a name',
  },
};

const OPTIONS = [
  new Option('--errors', 'list every error code'),
  new Option(
    '--attention [text]',
    'per-head attention weights of the model on [BOS, text…] (microGPT: lowercase a–z, at most 15 characters; a model folder: any text, or --ids)',
  ),
  idsOption('with --attention --model DIR: token ids to run exactly as given, e.g. 50,1000,7'),
  headsOption(
    'with --attention: only these heads: HEAD numbers (that head in every layer, e.g. 0,2) or LAYER.HEAD (e.g. 1.0,1.3)',
  ),
  new Option('--layer <n>', 'with --attention: only this layer').argParser(integerIn(0, 1000)),
  htmlOption('with --attention: also write a self-contained HTML report (heatmaps, mask, invariants)'),
  forceOption(FORCE_HTML),
  new Option(
    '--detect',
    'score every head as a previous-token, duplicate-token, induction and first-token head (TransformerLens definitions)',
  ),
  new Option('--tensor <name>', 'explain one tensor: wte, wpe, lm_head, layer0.attn_wq … or attn_mask'),
  new Option('--len <n>', 'with --tensor attn_mask: sequence length').argParser(integerIn(1, 16)).default(4),
  new Option(
    '--kernel [family]',
    "a family's kernel pipeline and constraints vs microGPT: a family (gpt2, llama …), alias, Hugging Face class, contract .json, config.json, or a model file or folder (safetensors, GGUF; its headers only, as with --model)",
  ),
  new Option('-v, --verbose', 'with --kernel: size variants, every tensor with its shape, the parameter count'),
  new Option('--size <name>', 'with --kernel -v, --vs or --memory: which size variant (default: the smallest)'),
  new Option('--vs <family>', 'with --kernel: a second family side by side, differences highlighted'),
  new Option(
    '--memory',
    'with --kernel (a family with --size, a config.json, or a model file or folder): weight bytes, KV-cache bytes and FLOPs per token',
  ),
  new Option('--context <n>', "with --memory: tokens in the KV cache (default: the model's context length)").argParser(
    integerIn(1, 100_000_000),
  ),
  new Option('--batch <n>', 'with --memory: sequences in the batch').argParser(integerIn(1, 1_000_000)).default(1),
  new Option('--kv-dtype <type>', 'with --memory: KV-cache element type (f16, bf16, f32, q8_0, q4_0 …)').default('f16'),
  familyOption(
    'with --attention or --detect: a tiny model of this family instead of microGPT; with --tensor: whose tensor names to use',
  ),
  modelOption(
    'with --attention or --detect: a checkpoint written by microgpt train or a model folder; with --tensor: a checkpoint written by microgpt train; with --kernel (no FAMILY): a model file or folder, as --kernel PATH',
  ),
  threadsOption(),
  seedOption('seed of the untrained model (not with --model)'),
  contractsOption(),
  ...outputOptions(),
];

const HELP = examples([
  'microgpt explain --attention mar',
  'microgpt explain --attention emma --seed 7 --json',
  'microgpt explain --attention charlotte --heads 0,2',
  'microgpt explain --attention mar --html attention.html',
  'microgpt explain --attention mar --family llama      GQA, RoPE, SwiGLU at microGPT scale',
  'microgpt explain --attention mar --model m.safetensors',
  'microgpt explain --detect --model m.safetensors      what each head does',
  'microgpt explain --tensor attn_mask --len 6',
  'microgpt explain --tensor layer0.attn_wq',
  'microgpt explain --kernel gpt2 -v',
  'microgpt explain --kernel Qwen2ForCausalLM',
  'microgpt explain --kernel ./config.json -v          a Hugging Face config, each choice explained',
  'microgpt explain --kernel llama --vs mistral',
  'microgpt explain --kernel llama --size 8b --memory --context 8192',
  'microgpt explain --kernel ~/models/Qwen2.5-0.5B --memory --kv-dtype q8_0',
  'microgpt explain --tensor model.layers.3.self_attn.q_proj.weight',
  'microgpt explain MG012                                what an error code means',
]);

export const explain: CommandModule<ExplainOptions> = {
  name: 'explain',
  description: "explain attention, the heads, a tensor or a family's kernels (one mode at a time), or an error code",
  args: [new Argument('[code]', 'an error code such as MG012: what it means and how to fix it')],
  options: OPTIONS,
  help: HELP,
  rules: RULES,
  run: async ({ args, opts }) => {
    const o = opts;
    const code = args[0] as string | undefined;
    switch (opts.usage.mode) {
      case 'error codes':
        return (await import('./errors.js')).explainErrors(code, opts);
      case '--attention':
        return (await import('./attention.js')).explainAttention(opts.attention!, opts);
      case '--detect':
        return (await import('./detect.js')).explainDetect(opts);
      case '--tensor':
        return (await import('./tensor.js')).explainTensor(opts.tensor!, opts);
      case '--kernel':
        return (await import('./kernel.js')).explainKernel(opts.kernel!, opts);
      default: {
        const [{ fitToWidth }, { terminalWidth }] = await Promise.all([
          import('../../../render/layout.js'),
          import('../../output.js'),
        ]);
        process.stderr.write(fitToWidth(explainModesText(), terminalWidth()) + '\n');
        return 2;
      }
    }
  },
};
