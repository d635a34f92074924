/**
 * The options many commands take, each defined once: its flag, value name,
 * parser, default and meaning. A command may say in its own words what the
 * option does for it (`what`), never what the flag means.
 */
import { Option } from 'commander';
import { RECIPE } from '../model/recipe.js';
import { COLOR_WHEN } from '../render/style.js';
import { headList, idList, integerIn, SEED } from './options.js';

/** Adds up a repeatable option's values. */
const collect = (v: string, acc: string[] = []) => [...acc, v];

/** --json, --color WHEN and --no-color: every command prints a report and takes all three. */
export const outputOptions = (): Option[] => [
  new Option('--json', 'print one JSON document (full precision) instead of text'),
  new Option('--color <when>', 'colour: auto (on a terminal, unless NO_COLOR), always, never').choices(COLOR_WHEN),
  new Option('--no-color', 'the same as --color never (NO_COLOR does the same)'),
];

export const contractsOption = () =>
  new Option(
    '--contracts <dir>',
    'also load family contracts from this folder (repeatable; env MICROGPT_CONTRACTS)',
  ).argParser(collect);

export const modelOption = (
  what = 'the model: a checkpoint written by microgpt train, or a Hugging Face model folder (default: an untrained microGPT from --seed)',
) => new Option('--model <file>', what);

export const familyOption = (
  what = 'a tiny model of this family (llama, gpt2, mistral …: its kernels at microGPT scale) instead of microGPT',
) => new Option('--family <family>', what);

/** Families read from a file: the family --family names, instead of the one detected. */
export const FAMILY_OF_FILE = 'read the model as this family instead of detecting it (llama, qwen2, gpt2 …)';

export const seedOption = (what = 'seed of the untrained model (not with --model: a model has its weights)') =>
  new Option('--seed <n>', what).argParser(SEED).default(RECIPE.seed);

export const forceOption = (what = 'replace an existing output file') => new Option('--force', what);

/** --force for an --html page: microgpt's own pages are always replaced. */
export const FORCE_HTML =
  'with --html: replace an existing file microgpt did not write (its own pages are always replaced)';

export const outOption = (what: string) => new Option('--out <file>', what);

export const htmlOption = (what: string) => new Option('--html <file>', what);

export const idsOption = (what = 'with --model DIR: token ids to run exactly as given, e.g. 50,1000,7') =>
  new Option('--ids <list>', what).argParser(idList);

export const namesOption = () =>
  new Option(
    '--names <pattern>',
    "only the hook points matching this pattern, * any characters (dots included), e.g. 'blocks.0.*' or '*hook_resid_post' (comma-separated or repeated)",
  ).argParser((v: string, acc: string[] = []) => [
    ...acc,
    ...v
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
  ]);

/** Which heads: LAYER.HEAD pairs, or HEAD numbers for that head in every layer. */
export const headsOption = (what: string) => new Option('--heads <list>', what).argParser(headList);

export const dataOption = (
  what = 'text file with one name per line (default: the built-in {names} English first names)',
) => new Option('--data <file>', what);

/** Threads of a model folder's kernels: every command that runs a model takes it; only a model folder uses it. */
export const threadsOption = () =>
  new Option(
    '--threads <n>',
    "with --model DIR: threads that run the model's kernels (default: the machine's available parallelism); any count gives the same numbers",
  ).argParser(integerIn(1, 256));

/** The refusal of --threads on a model that runs on one thread (a usage rule's fileOnly entry). */
export const THREADS_FILE_ONLY = {
  '--threads':
    'goes with --model DIR (a Hugging Face model folder); microGPT, its checkpoints and the tiny families run on one thread',
} as const;
