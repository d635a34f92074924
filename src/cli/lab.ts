/** microgpt lab induction: train and watch an induction head form, live on a terminal. */
import { MicrogptError } from '../errors.js';
import { runLab, type LabPoint } from '../explain/lab.js';
import { LAB_DEFAULTS } from '../model/lab.js';
import { renderJson } from '../render/json.js';
import { labChart, renderLabReport } from '../render/lab.js';
import { fixed, safe } from '../render/style.js';
import { show, stdoutStyle, type OutputOptions } from './output.js';

export interface LabOptions extends OutputOptions {
  html?: string;
  /** Replace an existing --html file that microgpt did not write. */
  force?: boolean;
  layers: number;
  steps: number;
  seed: number;
  every: number;
}

export const LABS = ['induction'] as const;

/** Lines drawn by the last live frame, so the next one can overwrite them. */
let drawn = 0;

/** On a terminal (stderr), the chart and the latest scores redrawn in place as training runs. */
function liveFrame(points: LabPoint[], steps: number, width: number): void {
  const p = points.at(-1)!;
  const frame = [
    `step ${p.step}/${steps}  repeated-copy loss ${fixed(p.repeatedHalf, 3)}  first copy ${fixed(p.firstHalf, 3)}`,
    `scores: ${p.previous.map((x, l) => `L${l} prev ${fixed(x, 2)} ind ${fixed(p.induction[l]!, 2)}`).join('  ')}`,
    labChart(points, width),
  ].join('\n');
  process.stderr.write((drawn ? `\u001b[${drawn}A\u001b[J` : '') + frame + '\n');
  drawn = frame.split('\n').length;
}

export async function runLabCommand(name: string, opts: LabOptions): Promise<number> {
  if (!(LABS as readonly string[]).includes(name))
    throw new MicrogptError('MG017', `unknown lab "${name}"; labs: ${LABS.join(', ')}`);
  const config = { ...LAB_DEFAULTS, layers: opts.layers, seed: opts.seed };
  if (opts.force && opts.html === undefined)
    throw new MicrogptError('MG001', '--force goes with --html (it lets an existing file be replaced)');
  // The lab reads no file; its page still never replaces a file microgpt did not write without --force.
  const output = { path: opts.html ?? '', flag: '--html', force: opts.force === true, html: true };
  if (opts.html !== undefined) (await import('../outputs.js')).checkOutput(output);
  const live = process.stderr.isTTY === true && !opts.json;
  const points: LabPoint[] = [];
  const width = stdoutStyle(opts).width;
  drawn = 0;
  const report = runLab(config, {
    steps: opts.steps,
    every: opts.every,
    onPoint: live
      ? (p) => {
          points.push(p);
          liveFrame(points, opts.steps, width);
        }
      : undefined,
  });
  if (live && drawn) process.stderr.write(`\u001b[${drawn}A\u001b[J`);
  if (opts.html !== undefined) {
    const [{ renderLabHtml }, { writeOutput }] = await Promise.all([
      import('../render/lab.js'),
      import('../outputs.js'),
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
          layers: opts.layers,
          steps: opts.steps,
          seed: opts.seed,
          every: opts.every,
          html: opts.html ?? null,
        },
        report,
      ),
    (style) => renderLabReport(report, style),
  );
  return 0;
}
