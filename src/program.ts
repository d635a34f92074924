/**
 * Command-line wiring only: flags in, reports out, errors to exit codes.
 * Each command's module is imported when that command runs, to keep start-up fast.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { packageRoot } from './paths.js';
import { MicrogptError } from './errors.js';
import { withInputLedger } from './inputs.js';
import { safe } from './render/escape.js';
import { COLOR_WHEN, colorWanted, loadColor, type ColorWhen } from './render/style.js';
import { fitToWidth } from './render/layout.js';
import { terminalWidth } from './cli/output.js';
import { closeOpenedEngines } from './cli/opened.js';
import { repeatedOption } from './cli/options.js';
import { addCommand, examples } from './cli/command.js';
import { COMMANDS, commandsFor } from './cli/commands/index.js';
import { renameOldFlags } from './cli/renamed.js';

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

/**
 * The command tree, built fresh for every run (commander keeps parsed values on
 * the objects): every command, or only those `argv` needs (commands/index.ts).
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
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
      outputError: (text) => process.stderr.write(`microgpt: error MG000: ${safe(oneLine(text))}\n`),
    })
    .addHelpText('after', PROGRAM_EXAMPLES);
  const modules = await Promise.all((argv ? commandsFor(argv) : COMMANDS).map((c) => c.load()));
  for (const m of modules) addCommand(program, m, program);
  return program;
}

/** Commander's message as one line, without its "error: " prefix. */
const oneLine = (text: string) =>
  text
    .replace(/^error: /, '')
    .trim()
    .replace(/\s*\n\s*/g, ' ');

const PROGRAM_EXAMPLES = examples([
  'microgpt explain --attention mar          per-head attention weights for [BOS, m, a, r]',
  'microgpt explain --tensor attn_mask       the causal mask, and why -1e9 rather than -∞',
  "microgpt explain --kernel llama -v        LLaMA's kernels and constraints vs microGPT",
  'microgpt example explain_attention        the whole explain-attention chapter',
  'microgpt train --out m.safetensors        train microGPT on {names} English first names (about a second)',
  'microgpt explain --attention mar --model m.safetensors',
  '                                          learned attention, and what each head does',
  'microgpt sample --model m.safetensors --explain -n 3',
  "microgpt explain --attention mar --family llama     the same at microGPT scale with LLaMA's kernels",
  'microgpt contracts list                   the {families} families this tool knows',
]);

/** Runs one command line; the exit code is left in process.exitCode. */
export async function main(typed: string[]): Promise<void> {
  const program = await buildProgram(typed);
  if (mayPrintHelp(typed)) helpFacts = (await import('./cli/help-facts.js')).fillHelpFacts;
  try {
    if (typed.length <= 2) {
      program.outputHelp({ error: true });
      process.exitCode = 2;
      return;
    }
    // A renamed flag still works under its old name, with a note giving the new one.
    const { argv, notes } = renameOldFlags(typed);
    for (const note of notes) process.stderr.write(`note: ${note}\n`);
    // chalk is loaded only when this run may print in colour.
    if (!argv.includes('--json') && colorWanted(process.env, process.stdout.isTTY === true, colorFlag(argv)))
      await loadColor();
    const twice = repeatedOption(argv.slice(2));
    if (twice)
      throw new MicrogptError(
        'MG000',
        `${twice} is given more than once; give it once (only --contracts and --names add up)`,
      );
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
