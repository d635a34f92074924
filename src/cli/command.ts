/**
 * What a command module is, and how one becomes a commander command: its
 * arguments and options (declared once), the help that follows them, its
 * usage rules (usage.ts), and the function that runs it. Every command goes
 * through `addCommand`, so every one checks its rules the same way before it runs.
 */
import type { Argument, Command, Option } from 'commander';
import { checkUsage, type Usage, type UsageRules } from './usage.js';

/** What a command's run receives: its positional arguments, its options, and what the checker made of them. */
export interface Invocation<O> {
  args: ReadonlyArray<string | string[] | undefined>;
  /** The options as commander parsed them (typed by the command that declares them), and what the checker made of them. */
  opts: O & { usage: Usage };
  /** The whole command tree (completion reads it). */
  program: Command;
}

/** `O`: the options as the module declares them (commander parses them untyped). */
export interface CommandModule<O = any> {
  name: string;
  description: string;
  args?: readonly Argument[];
  options?: readonly Option[];
  /** Examples and notes printed after the options in --help. */
  help?: string;
  rules?: UsageRules;
  /** Subcommands (contracts list, contracts validate). */
  commands?: readonly CommandModule[];
  /** Returns the exit code. */
  run?: (call: Invocation<O>) => Promise<number>;
}

/** A positional argument as the rules name it: its name in capitals (TEXT, PATH). */
const argName = (a: Argument) => a.name().toUpperCase();

/** The options typed on the command line (defaults are not), by long flag; a negated flag by its --no- form. */
function givenOptions(cmd: Command, args: Invocation<unknown>['args'], typed: ReadonlySet<string>): Set<string> {
  // Both forms of a pair typed (--no-out --out x): commander keeps the last; the rules see both.
  const given = new Set<string>(typed);
  for (const o of cmd.options) {
    const key = o.attributeName();
    if (cmd.getOptionValueSource(key) !== 'cli' || o.long === undefined) continue;
    // --out FILE and --no-out share one value: false means the --no- form was typed.
    if ((cmd.getOptionValue(key) === false) === o.negate) given.add(o.long);
    // `--attention [text]` typed with its value: the value is given too, by its name in capitals
    // (TEXT), so a rule can refuse it beside what it would conflict with (--ids).
    const valueName = /\[(\w+)\]/.exec(o.flags)?.[1];
    if (o.optional && valueName && typeof cmd.getOptionValue(key) === 'string') given.add(valueName.toUpperCase());
  }
  cmd.registeredArguments.forEach((a, i) => {
    const v = args[i];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) given.add(argName(a));
  });
  return given;
}

/** Adds a command module (and its subcommands) to `parent`. */
export function addCommand<O>(parent: Command, m: CommandModule<O>, program: Command): Command {
  const cmd = parent.command(m.name).description(m.description);
  for (const a of m.args ?? []) cmd.addArgument(a);
  const typed = new Set<string>();
  for (const o of m.options ?? []) {
    cmd.addOption(o);
    if (o.long) cmd.on(`option:${o.name()}`, () => typed.add(o.long!));
  }
  if (m.help) cmd.addHelpText('after', m.help);
  for (const sub of m.commands ?? []) addCommand(cmd, sub, program);
  const run = m.run;
  if (run)
    cmd.action(async (...xs: unknown[]) => {
      const args = xs.slice(0, -2) as Invocation<O>['args'];
      const usage = checkUsage(m.rules ?? {}, givenOptions(cmd, args, typed));
      process.exitCode = await run({ args, opts: { ...(cmd.opts() as O), usage }, program });
    });
  return cmd;
}

/** Help examples: one command line a row (a row starting with a space continues the one above), then notes. */
export function examples(lines: readonly string[], ...notes: string[]): string {
  const rows = lines.map((l) => (l.startsWith(' ') ? `    ${l}` : `  $ ${l}`));
  return ['', 'Examples:', ...rows, ...notes.flatMap((n) => ['', n])].join('\n');
}
