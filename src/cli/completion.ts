/**
 * Shell completion scripts, generated from the command tree itself: every
 * command, subcommand, option and option choice the parser knows, so the
 * scripts cannot fall behind the CLI.
 */
import type { Command, Option } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface Node {
  /** "explain", or "contracts list" for a subcommand. */
  path: string[];
  description: string;
  options: Array<{ flags: string[]; description: string; choices: readonly string[] }>;
  children: Node[];
}

const flagsOf = (o: Option): string[] => [o.short, o.long].filter((f): f is string => f !== undefined);

function walk(cmd: Command, path: string[]): Node {
  return {
    path,
    description: cmd.description(),
    options: [
      ...cmd.options.map((o) => ({ flags: flagsOf(o), description: o.description, choices: o.argChoices ?? [] })),
      { flags: ['-h', '--help'], description: 'show help', choices: [] },
    ],
    children: cmd.commands.map((c) => walk(c, [...path, c.name()])),
  };
}

/** Single-quoted for POSIX shells and fish: ' becomes '\'' (bash) or \' (fish). */
const quote = (text: string, shell: Shell): string =>
  shell === 'fish' ? `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : `'${text.replace(/'/g, "'\\''")}'`;

const all = (root: Node): Node[] => [root, ...root.children.flatMap(all)];
const key = (n: Node) => quote(n.path.join(' ') || '.', 'bash');
const childNames = (n: Node) => n.children.map((c) => c.path.at(-1)!);

function bash(root: Node, name: string): string {
  const nodes = all(root);
  const fn = `_${name}_complete`;
  // What may follow each command path: its options and subcommands; after an option with choices, the choices.
  const words = nodes.map(
    (n) =>
      `    ${key(n)}) echo ${quote([...n.options.flatMap((o) => o.flags), ...childNames(n)].join(' '), 'bash')} ;;`,
  );
  const children = nodes.map((n) => `    ${key(n)}) echo ${quote(childNames(n).join(' '), 'bash')} ;;`);
  const choices = new Map<string, readonly string[]>();
  for (const n of nodes)
    for (const o of n.options) if (o.choices.length) for (const f of o.flags) choices.set(f, o.choices);
  const choiceCases = [...choices].map(([flag, values]) => `    ${flag}) echo ${quote(values.join(' '), 'bash')} ;;`);
  return `# ${name} completion for bash. Load it with:  source <(${name} completion bash)
${fn}_words() {
  case "$1" in
${words.join('\n')}
  esac
}
${fn}_children() {
  case "$1" in
${children.join('\n')}
  esac
}
${fn}_choices() {
  case "$1" in
${choiceCases.join('\n')}
  esac
}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" i choices
  # The command path typed so far: the words before the cursor that name a command under the path.
  for ((i = 1; i < COMP_CWORD; i++)); do
    case " $(${fn}_children "\${path:-.}") " in
      *" \${COMP_WORDS[i]} "*) path="\${path:+$path }\${COMP_WORDS[i]}" ;;
    esac
  done
  choices="$(${fn}_choices "$prev")"
  if [ -n "$choices" ]; then
    COMPREPLY=($(compgen -W "$choices" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(${fn}_words "\${path:-.}")" -- "$cur"))
  fi
}
complete -o default -F ${fn} ${name}
`;
}

function fish(root: Node, name: string): string {
  const lines = [
    `# ${name} completion for fish. Load it with:  ${name} completion fish | source`,
    `complete -c ${name} -f`,
  ];
  const visit = (n: Node) => {
    // fish's helpers: at the top, no subcommand yet; below, the path's last command has been seen.
    const here =
      n.path.length === 0
        ? '__fish_use_subcommand'
        : `__fish_seen_subcommand_from ${n.path.at(-1)}${n.children.length ? `; and not __fish_seen_subcommand_from ${n.children.map((c) => c.path.at(-1)).join(' ')}` : ''}`;
    for (const c of n.children)
      lines.push(
        `complete -c ${name} -n ${quote(here, 'fish')} -a ${c.path.at(-1)} -d ${quote(c.description, 'fish')}`,
      );
    for (const o of n.options) {
      const short = o.flags.find((f) => /^-[^-]$/.test(f));
      const long = o.flags.find((f) => f.startsWith('--'));
      const parts = [
        `complete -c ${name} -n ${quote(here, 'fish')}`,
        ...(short ? [`-s ${short.slice(1)}`] : []),
        ...(long ? [`-l ${long.slice(2)}`] : []),
        ...(o.choices.length ? [`-x -a ${quote(o.choices.join(' '), 'fish')}`] : []),
        `-d ${quote(o.description, 'fish')}`,
      ];
      lines.push(parts.join(' '));
    }
    n.children.forEach(visit);
  };
  visit(root);
  return lines.join('\n') + '\n';
}

/** The completion script for one shell (zsh runs the bash one through bashcompinit). */
export function completionScript(shell: Shell, program: Command): string {
  const root = walk(program, []);
  const name = program.name();
  if (shell === 'fish') return fish(root, name);
  const script = bash(root, name);
  return shell === 'bash'
    ? script
    : `# ${name} completion for zsh. Load it with:  source <(${name} completion zsh)
autoload -U +X bashcompinit && bashcompinit
${script.split('\n').slice(1).join('\n')}`;
}
