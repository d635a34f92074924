/**
 * Every command, in the order help lists them. A module is loaded only when
 * the run needs it: a command line naming one command builds that command
 * alone; help, completion and unknown names build the whole tree.
 */
import type { CommandModule } from '../command.js';

export interface CommandEntry {
  name: string;
  load: () => Promise<CommandModule>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'explain', load: async () => (await import('./explain/index.js')).explain },
  { name: 'example', load: async () => (await import('./example.js')).example },
  { name: 'train', load: async () => (await import('./train.js')).train },
  { name: 'eval', load: async () => (await import('./eval.js')).evalCommand },
  { name: 'sample', load: async () => (await import('./sample.js')).sample },
  { name: 'inspect', load: async () => (await import('./inspect.js')).inspect },
  { name: 'validate', load: async () => (await import('./validate.js')).validate },
  { name: 'diff', load: async () => (await import('./diff.js')).diff },
  { name: 'trace', load: async () => (await import('./trace.js')).trace },
  { name: 'contracts', load: async () => (await import('./contracts.js')).contracts },
  { name: 'ablate', load: async () => (await import('./ablate.js')).ablate },
  { name: 'patch', load: async () => (await import('./patch.js')).patch },
  { name: 'cache', load: async () => (await import('./cache.js')).cache },
  { name: 'lab', load: async () => (await import('./lab.js')).lab },
  { name: 'completion', load: async () => (await import('./completion.js')).completion },
];

/** The commands a command line needs: the one it names, or all of them (help, completion, a name to suggest for). */
export function commandsFor(argv: readonly string[]): readonly CommandEntry[] {
  const named = COMMANDS.find((c) => c.name === argv[2]);
  return named && named.name !== 'completion' ? [named] : COMMANDS;
}
