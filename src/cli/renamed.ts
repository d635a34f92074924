/**
 * Flags that were renamed so that each flag name means one thing in every
 * command: the old spelling keeps working, and a one-line note on stderr gives
 * the new one. The command line is rewritten before commander parses it.
 */

interface Renamed {
  command: string;
  old: string;
  now: string;
  /** The note, once per run. */
  note: string;
  /** Only where this holds (the words before `--`, and the position of the old flag). */
  when?: (words: readonly string[], at: number) => boolean;
}

/** A word that is a value rather than an option. */
const isValue = (word: string | undefined) => word !== undefined && !word.startsWith('-');

const RENAMED: readonly Renamed[] = [
  { command: 'train', old: '--layers', now: '--n-layer', note: '--layers N for train is now --n-layer N' },
  { command: 'train', old: '--embd', now: '--n-embd', note: '--embd N for train is now --n-embd N' },
  { command: 'train', old: '--heads', now: '--n-head', note: '--heads N for train is now --n-head N' },
  { command: 'lab', old: '--layers', now: '--n-layer', note: '--layers N for lab is now --n-layer N' },
  {
    // --heads alone (no list, no --attention) used to run the head detectors; --heads now always lists heads.
    command: 'explain',
    old: '--heads',
    now: '--detect',
    note: 'explain --heads (alone, to score every head) is now explain --detect',
    when: (words, at) =>
      !words[at]!.includes('=') &&
      !isValue(words[at + 1]) &&
      !words.some((w) => w === '--attention' || w.startsWith('--attention=')),
  },
];

/** The command line with old flag spellings replaced, and a note for each one found. */
export function renameOldFlags(argv: readonly string[]): { argv: string[]; notes: string[] } {
  const command = argv[2];
  const end = argv.indexOf('--') < 0 ? argv.length : argv.indexOf('--');
  const words = argv.slice(0, end);
  const notes = new Set<string>();
  const out = argv.map((word, i) => {
    if (i < 3 || i >= end) return word;
    const [flag, ...value] = word.split('=');
    const r = RENAMED.find((x) => x.command === command && x.old === flag && (x.when?.(words, i) ?? true));
    if (!r) return word;
    notes.add(r.note);
    return [r.now, ...value].join('=');
  });
  return { argv: out, notes: [...notes] };
}
