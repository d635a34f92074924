/** microgpt lab induction: train and watch an induction head form, live on a terminal. */
import { Argument, Option } from 'commander';
import { MicrogptError } from '../../errors.js';
import type { LabPoint } from '../../explain/lab.js';
import { examples, type CommandModule } from '../command.js';
import { integerIn } from '../options.js';
import { INTERRUPTED } from '../progress.js';
import type { OutputOptions } from '../output.js';
import { FORCE_HTML, forceOption, htmlOption, outputOptions, seedOption } from '../presets.js';

export interface LabOptions extends OutputOptions {
  html?: string;
  /** Replace an existing --html file that microgpt did not write. */
  force?: boolean;
  nLayer: number;
  steps: number;
  seed: number;
  every: number;
}

export const LABS = ['induction'] as const;

export const lab: CommandModule<LabOptions> = {
  name: 'lab',
  description:
    'small experiments that show how a mechanism forms; induction: watch a 2-layer model learn induction heads',
  args: [new Argument('<name>', 'the lab: induction')],
  options: [
    new Option('--n-layer <n>', 'attention layers (1 runs the control, which cannot learn induction)')
      .argParser(integerIn(1, 4))
      .default(2),
    new Option('--steps <n>', 'training steps').argParser(integerIn(1, 100_000)).default(1000),
    new Option('--every <n>', 'measure every this many steps').argParser(integerIn(1, 10_000)).default(20),
    htmlOption('also write the whole story as one self-contained page'),
    forceOption(FORCE_HTML),
    seedOption('seed of the model, the data and the evaluation batch'),
    ...outputOptions(),
  ],
  help: examples([
    'microgpt lab induction',
    'microgpt lab induction --n-layer 1       the control: no induction without a second layer',
    'microgpt lab induction --seed 3 --json',
  ]),
  rules: { needs: { '--force': { with: ['--html'], why: 'it lets an existing file be replaced' } } },
  run: ({ args, opts }) => runLabCommand(args[0] as string, opts),
};

/** Lines drawn by the last live frame, so the next one can overwrite them. */
let drawn = 0;

/** On a terminal (stderr), the chart and the latest scores redrawn in place as training runs. */
function liveFrame(
  points: LabPoint[],
  steps: number,
  width: number,
  { fixed, labChart }: { fixed: (x: number, d: number) => string; labChart: (p: LabPoint[], w: number) => string },
): void {
  const p = points.at(-1)!;
  const frame = [
    `step ${p.step}/${steps}  repeated-copy loss ${fixed(p.repeatedHalf, 3)}  first copy ${fixed(p.firstHalf, 3)}`,
    `scores: ${p.previous.map((x, l) => `L${l} prev ${fixed(x, 2)} ind ${fixed(p.induction[l]!, 2)}`).join('  ')}`,
    labChart(points, width),
  ].join('\n');
  process.stderr.write((drawn ? `\u001b[${drawn}A\u001b[J` : '') + frame + '\n');
  drawn = frame.split('\n').length;
}

async function runLabCommand(name: string, opts: LabOptions): Promise<number> {
  if (!(LABS as readonly string[]).includes(name))
    throw new MicrogptError('MG017', `unknown lab "${name}"; labs: ${LABS.join(', ')}`);
  const [
    { labSteps },
    { runStepsWith },
    { LAB_DEFAULTS },
    { renderJson },
    { labChart, renderLabReport },
    { fixed, safe },
    { show, stdoutStyle },
  ] = await Promise.all([
    import('../../explain/lab.js'),
    import('../../engine/index.js'),
    import('../../model/lab.js'),
    import('../../render/json.js'),
    import('../../render/lab.js'),
    import('../../render/style.js'),
    import('../output.js'),
  ]);
  const config = { ...LAB_DEFAULTS, layers: opts.nLayer, seed: opts.seed };
  // The lab reads no file; its page still never replaces a file microgpt did not write without --force.
  const output = { path: opts.html ?? '', flag: '--html', force: opts.force === true, html: true };
  if (opts.html !== undefined) (await import('../../outputs.js')).checkOutput(output);
  const live = process.stderr.isTTY === true && !opts.json;
  const points: LabPoint[] = [];
  const width = stdoutStyle(opts).width;
  drawn = 0;
  const steps = labSteps(config, {
    steps: opts.steps,
    every: opts.every,
    onPoint: live
      ? (p) => {
          points.push(p);
          liveFrame(points, opts.steps, width, { fixed, labChart });
        }
      : undefined,
  });
  // Ctrl-C stops training after the current step; the model as it is then is measured and reported.
  let interrupted = false;
  const onSigint = () => void (interrupted = true);
  process.on('SIGINT', onSigint);
  let report;
  try {
    report = await runStepsWith(steps, { shouldStop: () => interrupted });
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (live && drawn) process.stderr.write(`\u001b[${drawn}A\u001b[J`);
  if (opts.html !== undefined) {
    const [{ renderLabHtml }, { writeOutput }] = await Promise.all([
      import('../../render/lab.js'),
      import('../../outputs.js'),
    ]);
    writeOutput(output, renderLabHtml(report));
    process.stderr.write(`wrote ${safe(opts.html)}\n`);
  }
  show(
    opts,
    () =>
      renderJson(
        'lab',
        {
          lab: name,
          nLayer: opts.nLayer,
          steps: opts.steps,
          seed: opts.seed,
          every: opts.every,
          html: opts.html ?? null,
        },
        report,
      ),
    (style) => renderLabReport(report, style),
  );
  return report.interrupted ? INTERRUPTED : 0;
}
