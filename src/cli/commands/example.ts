/** microgpt example: the runnable walk-throughs in examples/, listed or run. */
import { Argument } from 'commander';
import { MicrogptError } from '../../errors.js';
import type { Style } from '../../render/style.js';
import { examples, type CommandModule } from '../command.js';
import type { OutputOptions } from '../output.js';
import { outputOptions, seedOption } from '../presets.js';

interface ExampleModule {
  run(out: (text: string) => void, style: Style, seed?: number): Promise<number>;
  report(seed?: number): Promise<{ sections: Array<{ title: string; reports: object[] }> }>;
}

export const example: CommandModule<OutputOptions & { seed: number }> = {
  name: 'example',
  description: 'list the runnable examples, or run one',
  args: [new Argument('[name]', 'example to run, e.g. explain_attention')],
  options: [seedOption('seed of the random initialization'), ...outputOptions()],
  help: examples([
    'microgpt example',
    'microgpt example explain_attention',
    'microgpt example explain_attention --json',
  ]),
  run: ({ args, opts }) => runExample(args[0] as string | undefined, opts),
};

async function runExample(name: string | undefined, opts: OutputOptions & { seed: number }): Promise<number> {
  const [{ didYouMean }, { renderJson }, { print, printFitted, stdoutStyle }] = await Promise.all([
    import('../../suggest.js'),
    import('../../render/json.js'),
    import('../output.js'),
  ]);
  // Examples live beside src/ (examples/ in the source tree, dist/examples/ after the build).
  const { EXAMPLES } = (await import(
    new URL('../../../examples/index.js', import.meta.url).href
  )) as typeof import('../../../examples/index.js');
  if (name === undefined) {
    if (opts.json) {
      print(
        renderJson(
          'example',
          { name: null, seed: opts.seed },
          { kind: 'example', examples: EXAMPLES, ran: null, sections: [] },
        ),
      );
      return 0;
    }
    printFitted(
      [
        'Examples (run one with: microgpt example <name>):',
        ...EXAMPLES.map((e) => `  ${e.name.padEnd(20)} ${e.description}`),
      ].join('\n'),
      stdoutStyle(opts),
    );
    return 0;
  }
  const names = EXAMPLES.map((e) => e.name);
  if (!names.includes(name)) {
    throw new MicrogptError(
      'MG017',
      `unknown example "${name}"${didYouMean(name, names)}; examples: ${names.join(', ')}`,
    );
  }
  const mod = (await import(new URL(`../../../examples/${name}.js`, import.meta.url).href)) as ExampleModule;
  if (opts.json) {
    const { sections } = await mod.report(opts.seed);
    print(
      renderJson('example', { name, seed: opts.seed }, { kind: 'example', examples: EXAMPLES, ran: name, sections }),
    );
    return 0;
  }
  const style = stdoutStyle(opts);
  return mod.run((text) => printFitted(text, style), style, opts.seed);
}
