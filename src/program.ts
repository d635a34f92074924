/**
 * Command-line wiring only: flags in, reports out, errors to exit codes.
 * Each command's module is imported when that command runs, to keep start-up fast.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Argument, Command, CommanderError, Option } from 'commander';
import { packageRoot } from './paths.js';
import { MicrogptError } from './errors.js';
import { withInputLedger } from './inputs.js';
import { safe } from './render/escape.js';
import { COLOR_WHEN, colorWanted, loadColor, type ColorWhen } from './render/style.js';
import { fitToWidth } from './render/layout.js';
import { terminalWidth } from './cli/output.js';
import { closeOpenedEngines } from './cli/opened.js';
import { RECIPE } from './model/recipe.js';
import { idList, integerIn, integerList, numberIn, repeatedOption, SEED } from './cli/options.js';

const jsonOption = () => new Option('--json', 'print one JSON document (full precision) instead of text');
const colorOption = () =>
  new Option('--color <when>', 'colour: auto (on a terminal, unless NO_COLOR), always, never').choices(COLOR_WHEN);
const noColorOption = () => new Option('--no-color', 'the same as --color never (NO_COLOR does the same)');
const contractsOption = () =>
  new Option(
    '--contracts <dir>',
    'also load family contracts from this folder (repeatable; env MICROGPT_CONTRACTS)',
  ).argParser((v: string, acc: string[] = []) => [...acc, v]);
const modelOption = () =>
  new Option('--model <file>', 'checkpoint written by microgpt train (default: an untrained model from --seed)');
const familyOption = () =>
  new Option(
    '--family <family>',
    'a tiny model of this family (llama, gpt2, mistral …: its kernels at microGPT scale) instead of microGPT',
  );
const fileFamilyOption = () =>
  new Option('--family <family>', 'read the model as this family instead of detecting it (llama, qwen2, gpt2 …)');
const seedOption = (what: string) => new Option('--seed <n>', what).argParser(SEED).default(RECIPE.seed);
const threadsOption = () =>
  new Option(
    '--threads <n>',
    "with --model DIR: threads that run the model's kernels (default: the machine's available parallelism); any count gives the same numbers",
  ).argParser(integerIn(1, 256));
const dataOption = () =>
  new Option('--data <file>', 'text file with one name per line (default: the built-in {names} English first names)');

/**
 * Fills the help's {names} and {families} with counts from the data. Loaded
 * (with the corpus reader) only when a run may print help, so other commands
 * do not pay for it at start-up.
 */
let helpFacts: (text: string) => string = (text) => text;

/** Whether this command line may print help: no command, help, -h or --help anywhere. */
const mayPrintHelp = (argv: readonly string[]) =>
  argv.length <= 2 || argv[2] === 'help' || argv.includes('--help') || argv.includes('-h') || argv.length === 3;

/** The version in package.json, the one place it is written. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** The command tree, built fresh for every run (commander keeps parsed values on the objects). */
export function buildProgram(): Command {
  const program = new Command();

  program
    .name('microgpt')
    .description(
      'Inspect a tiny GPT from the inside: architecture, kernel dispatch, tensor roles, causal mask and per-head attention of a real model.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      // Help is laid out to the same width as every other screen, examples included.
      getOutHelpWidth: () => terminalWidth(),
      writeOut: (text) => process.stdout.write(fitToWidth(helpFacts(text), terminalWidth())),
      writeErr: (text) => process.stderr.write(fitToWidth(helpFacts(text), terminalWidth())),
      // Commander's own errors (unknown option, bad value) follow the tool's format: one line with a code.
      // Errors stay one line, whatever the width (writeErr would fit them to it).
      outputError: (text) =>
        process.stderr.write(
          `microgpt: error MG000: ${safe(
            text
              .replace(/^error: /, '')
              .trim()
              .replace(/\s*\n\s*/g, ' '),
          )}\n`,
        ),
    })
    .addHelpText(
      'after',
      `
  Examples:
    $ microgpt explain --attention mar          per-head attention weights for [BOS, m, a, r]
    $ microgpt explain --tensor attn_mask       the causal mask, and why -1e9 rather than -∞
    $ microgpt explain --kernel llama -v        LLaMA's kernels and constraints vs microGPT
    $ microgpt example explain_attention        the whole explain-attention chapter
    $ microgpt train --out m.safetensors        train microGPT on {names} English first names (about a second)
    $ microgpt explain --attention mar --model m.safetensors
                                                learned attention, and what each head does
    $ microgpt sample --model m.safetensors --explain -n 3
    $ microgpt explain --attention mar --family llama     the same at microGPT scale with LLaMA's kernels
    $ microgpt contracts list                   the {families} families this tool knows`,
    );

  program
    .command('explain')
    .description("explain attention, a tensor or a family's kernels (one mode at a time), or an error code")
    .argument('[code]', 'an error code such as MG012: what it means and how to fix it')
    .option('--errors', 'list every error code')
    .option(
      '--attention [text]',
      'per-head attention weights of the model on [BOS, text…] (microGPT: lowercase a–z, at most 15 characters; a model folder: any text, or --ids)',
    )
    .option('--ids <list>', 'with --attention --model DIR: token ids to run exactly as given, e.g. 50,1000,7', idList)
    .option('--tensor <name>', 'explain one tensor: wte, wpe, lm_head, layer0.attn_wq … or attn_mask')
    .option(
      '--kernel [family]',
      "a family's kernel pipeline and constraints vs microGPT: a family (gpt2, llama …), alias, Hugging Face class, contract .json or config.json (with --model and no family: the checkpoint's)",
    )
    .option(
      '--heads [list]',
      'with --attention: only these heads, e.g. 0,2; alone: score every head as a previous-token, duplicate-token, induction and first-token head (TransformerLens definitions)',
      integerList,
    )
    .option('--html <file>', 'with --attention: also write a self-contained HTML report (heatmaps, mask, invariants)')
    .option(
      '--force',
      'with --html: replace an existing file microgpt did not write (its own pages are always replaced)',
    )
    .option('--layer <n>', 'with --attention: only this layer', integerIn(0, 1000))
    .option('-v, --verbose', 'with --kernel: size variants, every tensor with its shape, the parameter count')
    .option('--size <name>', 'with --kernel -v: which size variant (default: the smallest)')
    .option('--vs <family>', 'with --kernel: a second family side by side, differences highlighted')
    .option(
      '--memory',
      'with --kernel (a family with --size, a config.json, or a model file or folder): weight bytes, KV-cache bytes and FLOPs per token',
    )
    .option(
      '--context <n>',
      "with --memory: tokens in the KV cache (default: the model's context length)",
      integerIn(1, 100_000_000),
    )
    .option('--batch <n>', 'with --memory: sequences in the batch', integerIn(1, 1_000_000), 1)
    .option('--kv-dtype <type>', 'with --memory: KV-cache element type (f16, bf16, f32, q8_0, q4_0 …)', 'f16')
    .option(
      '--family <family>',
      'with --attention: a tiny model of this family instead of microGPT; with --tensor: whose tensor names to use',
    )
    .option('--len <n>', 'with --tensor attn_mask: sequence length', integerIn(1, 16), 4)
    .option('--seed <n>', 'seed of the random initialization', SEED, RECIPE.seed)
    .option('--model <file>', 'with --attention or --tensor: use a checkpoint written by microgpt train')
    .addOption(threadsOption())
    .addOption(contractsOption())
    .addOption(jsonOption())
    .addOption(colorOption())
    .addOption(noColorOption())
    .addHelpText(
      'after',
      `
  Examples:
    $ microgpt explain --attention mar
    $ microgpt explain --attention emma --seed 7 --json
    $ microgpt explain --attention charlotte --heads 0,2
    $ microgpt explain --attention mar --html attention.html
    $ microgpt explain --attention mar --family llama     GQA, RoPE, SwiGLU at microGPT scale
    $ microgpt explain --attention mar --model m.safetensors
    $ microgpt explain --tensor attn_mask --len 6
    $ microgpt explain --tensor layer0.attn_wq
    $ microgpt explain --kernel gpt2 -v
    $ microgpt explain --kernel Qwen2ForCausalLM
    $ microgpt explain --kernel ./config.json -v      a Hugging Face config, each choice explained
    $ microgpt explain --kernel llama --vs mistral
    $ microgpt explain --kernel llama --size 8b --memory --context 8192
    $ microgpt explain --kernel ~/models/Qwen2.5-0.5B --memory --kv-dtype q8_0
    $ microgpt explain --tensor model.layers.3.self_attn.q_proj.weight
    $ microgpt explain MG012                        what an error code means`,
    )
    .action(async (code: string | undefined, opts, cmd: Command) => {
      const { runExplain } = await import('./cli/explain.js');
      // Which options the user typed (not defaults): each mode refuses the ones that do not apply to it.
      const given = Object.keys(opts).filter((k) => cmd.getOptionValueSource(k) === 'cli');
      process.exitCode = await runExplain(code, { ...opts, given });
    });

  program
    .command('example')
    .description('list the runnable examples, or run one')
    .argument('[name]', 'example to run, e.g. explain_attention')
    .option('--seed <n>', 'seed of the random initialization', SEED, RECIPE.seed)
    .addOption(jsonOption())
    .addOption(colorOption())
    .addOption(noColorOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ microgpt example\n  $ microgpt example explain_attention\n  $ microgpt example explain_attention --json',
    )
    .action(async (name: string | undefined, opts) => {
      const { runExample } = await import('./cli/example.js');
      process.exitCode = await runExample(name, opts);
    });

  program
    .command('train')
    .description(
      "train microGPT (Karpathy's recipe: one name per step, Adam, linear lr decay), or a tiny model of any attention family with --family, and write a checkpoint",
    )
    .addOption(dataOption())
    .addOption(familyOption())
    .addOption(contractsOption())
    .option('--steps <n>', 'training steps', integerIn(1, 10_000_000), RECIPE.steps)
    .addOption(seedOption('seed of initialization and data order'))
    .option('--lr <rate>', 'peak learning rate (decays linearly to 0)', numberIn(0, 10), RECIPE.learningRate)
    .option('--out <file>', 'checkpoint to write (safetensors)', 'model.safetensors')
    .option('--no-out', 'do not write a checkpoint')
    .option('--force', 'replace --out if it already exists')
    .option('--layers <n>', "transformer blocks (default: microGPT's 1, or the family's tiny size)", integerIn(1, 64))
    .option('--embd <n>', 'n_embd, the residual width (default 16; the MLP is 4 × n_embd)', integerIn(1, 1024))
    .option('--heads <n>', 'attention heads (default 4; n_embd must divide by it)', integerIn(1, 64))
    .addOption(jsonOption())
    .addOption(colorOption())
    .addOption(noColorOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ microgpt train\n  $ microgpt train --steps 5000 --out m5k.safetensors\n  $ microgpt train --layers 2 --embd 32 --heads 4 --out deeper.safetensors\n  $ microgpt train --data names.txt --seed 7 --json\n  $ microgpt train --family llama --steps 1000 --out tiny-llama.safetensors\n\nAn existing --out is replaced only with --force. Ctrl-C (or SIGTERM, SIGHUP) stops after the current step and still writes the checkpoint.',
    )
    .action(async (opts) => {
      const { runTrain } = await import('./cli/train.js');
      process.exitCode = await runTrain(opts);
    });

  program
    .command('eval')
    .description('mean per-name loss of a model over a corpus')
    .addOption(modelOption())
    .addOption(threadsOption())
    .addOption(familyOption())
    .addOption(contractsOption())
    .addOption(dataOption())
    .addOption(seedOption('seed of the untrained model when no --model is given'))
    .addOption(jsonOption())
    .addOption(colorOption())
    .addOption(noColorOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ microgpt eval --model m.safetensors\n  $ microgpt eval --model m.safetensors --data names.txt\n  $ microgpt eval --model ~/models/Qwen2.5-0.5B --data notes.txt     perplexity of a real model',
    )
    .action(async (opts) => {
      const { runEval } = await import('./cli/commands.js');
      process.exitCode = await runEval(opts);
    });

  program
    .command('sample')
    .description('generate names; --explain shows how every character was chosen')
    .addOption(modelOption())
    .addOption(threadsOption())
    .addOption(familyOption())
    .addOption(contractsOption())
    .option(
      '-n, --count <n>',
      'how many samples (default: 20 names; 1 continuation for a model folder)',
      integerIn(1, 10_000),
    )
    .option(
      '--temperature <t>',
      'divide the logits by t before softmax (lower = safer; 0 = greedy, always the likeliest)',
      numberIn(0, 100, true),
      RECIPE.temperature,
    )
    .addOption(seedOption('seed of the draws (and of the untrained model without --model)'))
    .option('--explain', 'for every character: the top candidates before and after temperature, and the one drawn')
    .option('--prompt <text>', 'with --model DIR (a Hugging Face model folder): the text to continue')
    .option('--ids <list>', 'with --model DIR: the prompt as token ids, used exactly as given', idList)
    .option('--max-tokens <n>', 'with --model DIR: tokens to generate at most (default 20)', integerIn(1, 100_000))
    .addOption(jsonOption())
    .addOption(colorOption())
    .addOption(noColorOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ microgpt sample --model m.safetensors\n  $ microgpt sample --model m.safetensors -n 3 --explain\n  $ microgpt sample --model m.safetensors --temperature 1.0 --seed 7\n  $ microgpt sample --model ~/models/gpt2 --prompt "The cat" --max-tokens 30 --temperature 0',
    )
    .action(async (opts) => {
      const { runSample } = await import('./cli/commands.js');
      process.exitCode = await runSample({ ...opts, n: opts.count });
    });

  program
    .command('inspect')
    .description(
      "what is in a model: a safetensors file, sharded index, GGUF file or model folder (headers only, any size), or a microgpt checkpoint with every tensor's statistics",
    )
    .argument(
      '[path]',
      'model file or folder: *.safetensors, model.safetensors.index.json, *.gguf, or a folder with them (and config.json)',
    )
    .addOption(modelOption())
    .addOption(
      new Option(
        '--family <family>',
        'with a model file: read it as this family instead of detecting it; without one: a tiny model of this family instead of microGPT',
      ),
    )
    .addOption(contractsOption())
    .addOption(seedOption('seed of the untrained model when no path or --model is given'))
    .option('--metadata', 'with a model file: also print the metadata key/values (large arrays summarised)')
    .option('-v, --verbose', 'with a model file: list every tensor, not one row per template')
    .option(
      '--html <file>',
      'microgpt checkpoints: also write a self-contained HTML report (tensor table, weight heatmaps, pipeline)',
    )
    .option(
      '--force',
      'with --html: replace an existing file microgpt did not write (its own pages are always replaced)',
    )
    .addOption(jsonOption())
    .addOption(colorOption())
    .addOption(noColorOption())
    .addHelpText(
      'after',
      `
  Examples:
    $ microgpt inspect ~/models/Llama-3.2-1B            a Hugging Face model folder (config.json + safetensors)
    $ microgpt inspect model.safetensors.index.json     a sharded model: every shard's header
    $ microgpt inspect llama-2-7b.Q4_K_M.gguf --metadata
    $ microgpt inspect gpt2/model.safetensors -v --json
    $ microgpt inspect m.safetensors                    a checkpoint written by microgpt train
    $ microgpt inspect                                  microGPT itself, untrained (seed 42)

  Only headers are read: a 100 GB model costs what a 10 MB one does.`,
    )
    .action(async (path: string | undefined, opts) => {
      const { runInspect } = await import('./cli/inspect.js');
      process.exitCode = await runInspect(path, opts);
    });

  program
    .command('validate')
    .description(
      'check a model file or folder: header integrity, shards, shapes and names against the family contract, config.json against the tensors; --scan also streams the values',
    )
    .argument(
      '<path>',
      'model file or folder: *.safetensors, model.safetensors.index.json, *.gguf, or a folder with them',
    )
    .option(
      '--scan',
      'also stream every float tensor (F32, F64, F16, BF16) and report NaN, infinite and all-zero tensors (bounded memory)',
    )
    .addOption(fileFamilyOption())
    .addOption(contractsOption())
    .addOption(jsonOption())
    .addOption(colorOption())
    .addOption(noColorOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ microgpt validate ~/models/Llama-2-7b-hf\n  $ microgpt validate model.safetensors --scan\n  $ microgpt validate llama-2-7b.Q4_K_M.gguf --json\n\nExit 0 when sound, 1 when a check fails (one line per failure), 2 when the file cannot be read.',
    )
    .action(async (path: string, opts) => {
      const { runValidate } = await import('./cli/files.js');
      process.exitCode = await runValidate(path, opts);
    });

  program
    .command('diff')
    .description(
      'what differs between two models (files or folders): tensors added, removed, reshaped, re-typed; family, sizes and config; --values compares the numbers',
    )
    .argument('<a>', 'first model file or folder')
    .argument('<b>', 'second model file or folder')
    .option(
      '--values',
      'also stream the tensors both hold (same shape, F32/F64/F16/BF16; files up to 2 GB): max |Δ|, RMSE and cosine per tensor',
    )
    .addOption(fileFamilyOption())
    .addOption(contractsOption())
    .addOption(jsonOption())
    .addOption(colorOption())
    .addOption(noColorOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ microgpt diff base/ finetuned/\n  $ microgpt diff m1.safetensors m2.safetensors --values\n  $ microgpt diff model-f16.gguf model-Q4_K_M.gguf --json',
    )
    .action(async (a: string, b: string, opts) => {
      const { runDiff } = await import('./cli/files.js');
      process.exitCode = await runDiff(a, b, opts);
    });

  program
    .command('trace')
    .description('the forward pass hook point by hook point, then the prediction at every position')
    .argument('[text]', 'input, e.g. emma (the model sees [BOS, e, m, m, a]); or --ids')
    .addOption(modelOption())
    .addOption(threadsOption())
    .addOption(familyOption())
    .addOption(contractsOption())
    .addOption(seedOption('seed of the untrained model when no --model is given'))
    .option('--ids <list>', 'with --model DIR: token ids to run exactly as given, e.g. 50,1000,7', idList)
    .option(
      '--names <glob>',
      "only the hook points matching this (comma-separated) glob, * any characters, e.g. 'blocks.0.*' or '*hook_resid_post'",
    )
    .option('--lens', 'also the logit lens: the residual stream after every layer read out as next-token predictions')
    .addOption(jsonOption())
    .addOption(colorOption())
    .addOption(noColorOption())
    .addHelpText(
      'after',
      "\nExamples:\n  $ microgpt trace emma --model m.safetensors\n  $ microgpt trace emma --model m.safetensors --lens\n  $ microgpt trace emma --names 'blocks.0.attn.*'\n  $ microgpt trace \"the cat sat\" --model ~/models/gpt2 --lens --names '*resid_post'\n  $ microgpt trace mar --json",
    )
    .action(async (text: string | undefined, opts) => {
      const { runTrace } = await import('./cli/commands.js');
      process.exitCode = await runTrace(text, opts);
    });

  const contracts = program
    .command('contracts')
    .description('the family contracts: list them, or validate contract files');

  contracts
    .command('list')
    .description('a table of every known family and its constraints')
    .addOption(contractsOption())
    .addOption(jsonOption())
    .addOption(colorOption())
    .addOption(noColorOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ microgpt contracts list\n  $ microgpt contracts list --contracts ./my-contracts',
    )
    .action(async (opts) => {
      const { runContractsList } = await import('./cli/contracts.js');
      process.exitCode = await runContractsList(opts);
    });

  contracts
    .command('validate')
    .description('validate contract files or folders (default: the shipped contracts); exit 1 on any error')
    .argument('[files...]', 'contract .json files or folders of them')
    .addOption(jsonOption())
    .addOption(colorOption())
    .addOption(noColorOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ microgpt contracts validate\n  $ microgpt contracts validate my-family.json ./more-contracts',
    )
    .action(async (files: string[], opts) => {
      const { runContractsValidate } = await import('./cli/contracts.js');
      process.exitCode = await runContractsValidate(files, opts);
    });
  program
    .command('ablate')
    .description(
      'remove each head and MLP in turn (set to zero, or to its mean) and rank them by how much the loss rises',
    )
    .addOption(modelOption())
    .addOption(threadsOption())
    .addOption(familyOption())
    .addOption(contractsOption())
    .addOption(dataOption())
    .option('--text <text>', 'one text (a name for microGPT) instead of a corpus')
    .option('-n, --count <n>', 'corpus names to use (microGPT and tiny families)', integerIn(1, 100_000), 200)
    .option('--heads <list>', 'also ablate these together, e.g. 0.1,0.3 (LAYER.HEAD, or LAYER.mlp)')
    .addOption(seedOption('seed of the untrained model when no --model is given'))
    .addOption(jsonOption())
    .addOption(colorOption())
    .addOption(noColorOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ microgpt ablate --model m.safetensors\n  $ microgpt ablate --model m.safetensors --heads 0.1,0.3\n  $ microgpt ablate --family llama --text emma\n  $ microgpt ablate --model ~/models/gpt2 --text "the cat sat on the mat"',
    )
    .action(async (opts) => {
      const { runAblate } = await import('./cli/ablate.js');
      process.exitCode = await runAblate(opts);
    });

  program
    .command('patch')
    .description(
      'activation patching: copy one head output or residual-stream position from a clean run into a corrupted one and measure how much of the clean target logit it restores',
    )
    .addOption(modelOption())
    .addOption(threadsOption())
    .addOption(familyOption())
    .addOption(contractsOption())
    .requiredOption('--clean <text>', 'the input whose answer is the target')
    .requiredOption('--corrupt <text>', 'an input of the same token length that changes the answer')
    .requiredOption('--target <token>', 'the next token whose logit is measured (a character for microGPT)')
    .addOption(seedOption('seed of the untrained model when no --model is given'))
    .addOption(jsonOption())
    .addOption(colorOption())
    .addOption(noColorOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ microgpt patch --model m.safetensors --clean emma --corrupt emmy --target a\n  $ microgpt patch --model ~/models/gpt2 --clean "The Eiffel Tower is in" --corrupt "The Colosseum is in" --target " Paris"',
    )
    .action(async (opts) => {
      const { runPatch } = await import('./cli/ablate.js');
      process.exitCode = await runPatch(opts);
    });

  program
    .command('cache')
    .description(
      "save one run's activations: every hook point (TransformerLens names and shapes) as a float32 tensor in a safetensors file",
    )
    .argument('[text]', 'the input (microGPT: a name; a model folder: any text through its tokenizer)')
    .option('--ids <list>', 'the input as token ids, used exactly as given', idList)
    .addOption(modelOption())
    .addOption(threadsOption())
    .addOption(familyOption())
    .addOption(contractsOption())
    .option('--out <file>', 'the safetensors file to write')
    .option(
      '--names <pattern>',
      'only hook points matching this pattern (* matches any characters, dots included; repeatable)',
      (v: string, acc: string[] = []) => [...acc, v],
    )
    .option('--list', 'print the hook names and shapes without running or writing')
    .option('--force', 'replace --out if it already exists')
    .addOption(seedOption('seed of the untrained model when no --model is given'))
    .addOption(jsonOption())
    .addOption(colorOption())
    .addOption(noColorOption())
    .addHelpText(
      'after',
      `
Examples:
  $ microgpt cache --list                                   microGPT's hook points and their axes
  $ microgpt cache emma --model m.safetensors --out emma.safetensors
  $ microgpt cache "the cat sat" --model ~/models/gpt2 --out acts.safetensors --names "blocks.*.attn.hook_pattern"
  $ microgpt cache --ids 50,1000,7 --model ~/models/gpt2 --names "*resid_post" --out resid.safetensors

In Python: safetensors.numpy.load_file("acts.safetensors")["blocks.0.attn.hook_pattern"] has shape
[1, head, query_pos, key_pos], as TransformerLens's cache; the tokens and ids are in the file's metadata.`,
    )
    .action(async (text: string | undefined, opts) => {
      const { runCacheCommand } = await import('./cli/cache.js');
      process.exitCode = await runCacheCommand(text, opts);
    });

  program
    .command('lab')
    .description(
      'small experiments that show how a mechanism forms; induction: watch a 2-layer model learn induction heads',
    )
    .argument('<name>', 'the lab: induction')
    .option('--layers <n>', 'attention layers (1 runs the control, which cannot learn induction)', integerIn(1, 4), 2)
    .option('--steps <n>', 'training steps', integerIn(1, 100_000), 1000)
    .option('--every <n>', 'measure every this many steps', integerIn(1, 10_000), 20)
    .option('--html <file>', 'also write the whole story as one self-contained page')
    .option(
      '--force',
      'with --html: replace an existing file microgpt did not write (its own pages are always replaced)',
    )
    .addOption(seedOption('seed of the model, the data and the evaluation batch'))
    .addOption(jsonOption())
    .addOption(colorOption())
    .addOption(noColorOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ microgpt lab induction\n  $ microgpt lab induction --layers 1       the control: no induction without a second layer\n  $ microgpt lab induction --seed 3 --json',
    )
    .action(async (name: string, opts) => {
      const { runLabCommand } = await import('./cli/lab.js');
      process.exitCode = await runLabCommand(name, opts);
    });

  program
    .command('completion')
    .description('print a shell completion script, generated from these commands and options')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      '\nExamples:\n  $ source <(microgpt completion bash)      # in ~/.bashrc\n  $ source <(microgpt completion zsh)       # in ~/.zshrc\n  $ microgpt completion fish | source      # in ~/.config/fish/config.fish',
    )
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      const { completionScript } = await import('./cli/completion.js');
      process.stdout.write(completionScript(shell, program));
    });
  return program;
}

/** Runs one command line; the exit code is left in process.exitCode. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  if (mayPrintHelp(argv)) helpFacts = (await import('./cli/help-facts.js')).fillHelpFacts;
  try {
    if (argv.length <= 2) {
      program.outputHelp({ error: true });
      process.exitCode = 2;
      return;
    }
    // chalk is loaded only when this run may print in colour.
    if (!argv.includes('--json') && colorWanted(process.env, process.stdout.isTTY === true, colorFlag(argv)))
      await loadColor();
    const twice = repeatedOption(argv.slice(2));
    if (twice)
      throw new MicrogptError('MG000', `${twice} is given more than once; give it once (only --contracts adds up)`);
    // `help foo`: commander would print the whole help; an unknown command is one line, as everywhere else.
    if (argv[2] === 'help' && argv[3] !== undefined && !program.commands.some((c) => c.name() === argv[3])) {
      throw new MicrogptError(
        'MG000',
        `unknown command '${argv[3]}'; commands: ${program.commands.map((c) => c.name()).join(', ')}`,
      );
    }
    // A fresh ledger of the files this run reads: no output may land on one of them (outputs.ts).
    await withInputLedger(() => program.parseAsync(argv));
  } catch (e) {
    process.exitCode = exitCodeFor(e);
  } finally {
    closeOpenedEngines();
  }
}

/** What the command line says about colour before commander parses it (the last of --color WHEN, --color=WHEN, --no-color wins). */
function colorFlag(argv: readonly string[]): ColorWhen | false | undefined {
  let flag: ColorWhen | false | undefined;
  argv.forEach((a, i) => {
    const when = a === '--color' ? argv[i + 1] : a.startsWith('--color=') ? a.slice('--color='.length) : undefined;
    if (when !== undefined && (COLOR_WHEN as readonly string[]).includes(when)) flag = when as ColorWhen;
    if (a === '--no-color') flag = false;
  });
  return flag;
}

/** Our errors: one line and their exit code. Commander's: it has printed them; usage errors exit 2. Anything else is a bug. */
function exitCodeFor(e: unknown): number {
  if (e instanceof CommanderError) {
    return e.exitCode === 0 ? 0 : 2;
  }
  if (e instanceof MicrogptError) {
    // Messages quote file names, tensor names and metadata: escape control characters.
    process.stderr.write(`microgpt: error ${e.code}: ${safe(e.message)}\n`);
    if (process.env.MICROGPT_DEBUG === '1') process.stderr.write(`${safeLines(e.stack)}\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(
    process.env.MICROGPT_DEBUG === '1'
      ? `${safeLines(err.stack)}\n`
      : `microgpt: internal error: ${safe(err.message)} (a bug; MICROGPT_DEBUG=1 shows the stack trace)\n`,
  );
  return 70;
}

/** A stack trace escaped line by line (its message may quote a file), its newlines kept. */
const safeLines = (text = '') => text.split('\n').map(safe).join('\n');
