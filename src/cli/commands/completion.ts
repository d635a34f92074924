/** microgpt completion SHELL: a completion script generated from the command tree (../completion.ts). */
import { Argument } from 'commander';
import { examples, type CommandModule } from '../command.js';

export const completion: CommandModule = {
  name: 'completion',
  description: 'print a shell completion script, generated from these commands and options',
  args: [new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish'])],
  help: examples([
    'source <(microgpt completion bash)      # in ~/.bashrc',
    'source <(microgpt completion zsh)       # in ~/.zshrc',
    'microgpt completion fish | source      # in ~/.config/fish/config.fish',
  ]),
  run: async ({ args, program }) => {
    const { completionScript } = await import('../completion.js');
    process.stdout.write(completionScript(args[0] as 'bash' | 'zsh' | 'fish', program));
    return 0;
  },
};
