#!/usr/bin/env node
/**
 * Command-line wiring only: flags in, reports out, errors to exit codes.
 * Each command's module is imported when that command runs, to keep start-up fast.
 */
import { Command, CommanderError, Option } from 'commander';
import { MicrogptError } from './errors.js';
import { integerIn, SEED } from './cli/options.js';

// `microgpt … | head` closes the pipe early; that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const program = new Command();

program
  .name('microgpt')
  .description('Inspect a tiny GPT from the inside: architecture, kernel dispatch, tensor roles, causal mask and per-head attention of a real model.')
  .version('0.1.0')
  .showSuggestionAfterError(true)
  .exitOverride()
  .addHelpText(
    'after',
    `
Examples:
  $ microgpt explain --attention mar          per-head attention weights for [BOS, m, a, r]
  $ microgpt explain --tensor attn_mask       the causal mask, and why -1e9 rather than -∞
  $ microgpt explain --kernel llama -v        LLaMA's kernels and constraints vs microGPT
  $ microgpt example explain_attention        the whole explain-attention chapter`,
  );

const jsonOption = () => new Option('--json', 'print one JSON document (full precision) instead of text');
const noColorOption = () => new Option('--no-color', 'no colour, even on a terminal (NO_COLOR does the same)');

program
  .command('explain')
  .description('explain attention, a tensor or a family\'s kernels (one mode at a time)')
  .option('--attention <text>', 'per-head attention weights of the model on [BOS, text…] (lowercase a–z, at most 15 characters)')
  .option('--tensor <name>', 'explain one tensor: wte, wpe, lm_head, layer0.attn_wq … or attn_mask')
  .option('--kernel <family>', 'a family\'s kernel pipeline and constraints vs microGPT (gpt2, llama, …)')
  .option('-v, --verbose', 'with --kernel: size variants, every tensor with its shape, the parameter count')
  .option('--size <name>', 'with --kernel -v: which size variant (default: the smallest)')
  .option('--family <family>', 'with --tensor: whose tensor names to use', 'microgpt')
  .option('--len <n>', 'with --tensor attn_mask: sequence length', integerIn(1, 16), 4)
  .option('--seed <n>', 'seed of the random initialization', SEED, 42)
  .option('--contracts <dir>', 'also load family contracts from this folder (repeatable; env MICROGPT_CONTRACTS)', (v: string, acc: string[] = []) => [...acc, v])
  .addOption(jsonOption())
  .addOption(noColorOption())
  .addHelpText(
    'after',
    `
Examples:
  $ microgpt explain --attention mar
  $ microgpt explain --attention emma --seed 7 --json
  $ microgpt explain --tensor attn_mask --len 6
  $ microgpt explain --tensor layer0.attn_wq
  $ microgpt explain --kernel gpt2 -v`,
  )
  .action(async (opts) => {
    const { runExplain } = await import('./cli/explain.js');
    process.exitCode = runExplain(opts);
  });

program
  .command('example')
  .description('list the runnable examples, or run one')
  .argument('[name]', 'example to run, e.g. explain_attention')
  .option('--seed <n>', 'seed of the random initialization', SEED, 42)
  .addOption(noColorOption())
  .addHelpText('after', '\nExamples:\n  $ microgpt example\n  $ microgpt example explain_attention')
  .action(async (name: string | undefined, opts) => {
    const { runExample } = await import('./cli/example.js');
    process.exitCode = await runExample(name, opts);
  });

async function main(argv: string[]): Promise<void> {
  try {
    if (argv.length <= 2) {
      program.outputHelp({ error: true });
      process.exitCode = 2;
      return;
    }
    await program.parseAsync(argv);
  } catch (e) {
    process.exitCode = exitCodeFor(e);
  }
}

/** Our errors: one line and their exit code. Commander's: it has printed them; usage errors exit 2. Anything else is a bug. */
function exitCodeFor(e: unknown): number {
  if (e instanceof CommanderError) {
    return e.exitCode === 0 ? 0 : 2;
  }
  if (e instanceof MicrogptError) {
    process.stderr.write(`microgpt: error ${e.code}: ${e.message}\n`);
    if (process.env.MICROGPT_DEBUG === '1') process.stderr.write(`${e.stack}\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(
    process.env.MICROGPT_DEBUG === '1' ? `${err.stack}\n` : `microgpt: internal error: ${err.message} (a bug; MICROGPT_DEBUG=1 shows the stack trace)\n`,
  );
  return 70;
}

await main(process.argv);
