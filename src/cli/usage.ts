/**
 * The one option-conflict checker. Each command states, as data, which of its
 * options exclude each other, which need another, which belong to one mode,
 * and which only a model folder (or only a microGPT-format model) can use;
 * this file enforces every such table the same way. An option that does not
 * apply is refused by name (MG001, one line naming both sides), never ignored.
 *
 * Options are named as typed: long flags (`--count` for -n too), and
 * positional arguments in capitals (`TEXT`, `PATH`).
 */
import { MicrogptError } from '../errors.js';

export interface Exclusion {
  /** The two options; at most one may be given. */
  options: readonly [string, string];
  /** What both give, for the message: "give the input as TEXT or as --ids, not both". */
  what?: string;
  /** Why, when it is not plain from the names. */
  why?: string;
}

export interface Mode {
  /** How messages name the mode: `--attention`, or `error codes`. */
  name: string;
  /** Options that choose this mode. */
  triggers: readonly string[];
  /** Options the mode takes besides its triggers and the common ones. */
  options: readonly string[];
}

export interface UsageRules {
  excludes?: readonly Exclusion[];
  /** option → the options it goes with (one of them must be given too), and why. */
  needs?: Readonly<Record<string, { with: readonly string[]; why?: string }>>;
  /** At most one mode per run; each mode takes only its own options and the common ones. */
  modes?: { list: readonly Mode[]; common: readonly string[] };
  /** One of `anyOf` must be given (unless `unless` is); `hint` is the whole message. */
  requires?: ReadonlyArray<{ anyOf: readonly string[]; unless?: string; hint: string }>;
  /**
   * Options only a model file or folder uses (refused on microGPT, a tiny family or a microgpt
   * checkpoint), and the rest of the refusal after the flag: "goes with --model DIR …; why".
   */
  fileOnly?: Readonly<Record<string, string>>;
  /** Options a model file or folder cannot use, and the rest of the refusal: "does not apply to … ; drop it". */
  notForFile?: Readonly<Record<string, string>>;
  /** What a model file or folder needs: one of `anyOf` (it has no built-in names to run on); `hint` is the message. */
  fileNeeds?: ReadonlyArray<{ anyOf: readonly string[]; hint: string }>;
}

/** What the command line held, and what the checker made of it. */
export interface Usage {
  rules: UsageRules;
  /** The options typed (not defaults), named as above. */
  given: ReadonlySet<string>;
  /** The mode chosen, by its name; null for a command without modes, or when none was chosen. */
  mode: string | null;
}

const refuse = (message: string): never => {
  throw new MicrogptError('MG001', message);
};

const alternatives = (names: readonly string[]) =>
  names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;

/** Checks the options typed against a command's rules; returns the mode they choose. */
export function checkUsage(rules: UsageRules, given: ReadonlySet<string>): Usage {
  for (const {
    options: [a, b],
    what,
    why,
  } of rules.excludes ?? [])
    if (given.has(a) && given.has(b))
      refuse(`give ${what ? `${what} as ${a} or as ${b}` : `${a} or ${b}`}, not both${why ? ` (${why})` : ''}`);
  const mode = chosenMode(rules, given);
  for (const [option, { with: partners, why }] of Object.entries(rules.needs ?? {}))
    if (given.has(option) && !partners.some((p) => given.has(p)))
      refuse(`${option} goes with ${alternatives(partners)}${why ? ` (${why})` : ''}`);
  if (rules.modes) refuseForeign(rules.modes, mode, given);
  for (const { anyOf, unless, hint } of rules.requires ?? [])
    if (!anyOf.some((o) => given.has(o)) && !(unless !== undefined && given.has(unless))) refuse(hint);
  return { rules, given, mode: mode?.name ?? null };
}

function chosenMode(rules: UsageRules, given: ReadonlySet<string>): Mode | undefined {
  const chosen = (rules.modes?.list ?? []).filter((m) => m.triggers.some((t) => given.has(t)));
  if (chosen.length > 1)
    refuse(`give one mode at a time: ${chosen[0]!.name} and ${chosen[1]!.name} are two modes; run them one by one`);
  return chosen[0];
}

/** In a mode, an option of another mode is refused, naming the mode it goes with. */
function refuseForeign(modes: NonNullable<UsageRules['modes']>, mode: Mode | undefined, given: ReadonlySet<string>) {
  const takes = (m: Mode, o: string) => m.triggers.includes(o) || m.options.includes(o);
  for (const option of given) {
    if (modes.common.includes(option) || (mode && takes(mode, option))) continue;
    const owners = modes.list.filter((m) => takes(m, option)).map((m) => m.name);
    if (!mode) refuse(`${option} goes with ${alternatives(owners)}${owners.length > 1 ? '; give one of them' : ''}`);
    refuse(
      `${option} does not apply to ${mode!.name}${owners.length ? ` (it goes with ${alternatives(owners)})` : ''}; drop it`,
    );
  }
}

/**
 * The options the chosen model cannot use, refused by name: called once the
 * kind of model is known (before its weights load). `file` is true for a model
 * file or folder, false for microGPT, a tiny family or a microgpt checkpoint.
 */
export function checkModelKind(usage: Usage | undefined, file: boolean): void {
  if (!usage) return;
  const table = (file ? usage.rules.notForFile : usage.rules.fileOnly) ?? {};
  for (const [option, rest] of Object.entries(table)) if (usage.given.has(option)) refuse(`${option} ${rest}`);
  if (file)
    for (const { anyOf, hint } of usage.rules.fileNeeds ?? []) if (!anyOf.some((o) => usage.given.has(o))) refuse(hint);
}
