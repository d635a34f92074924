/** explain --detect: the head detectors on microGPT, a tiny family, a checkpoint or a model folder. */
import { headsSteps } from '../../../explain/detectors.js';
import { renderHeadsReport } from '../../../render/heads.js';
import { renderJson } from '../../../render/json.js';
import { openEngine } from '../../engine.js';
import { show } from '../../output.js';
import { INTERRUPTED, withProgress } from '../../progress.js';
import type { ExplainOptions } from './types.js';

export async function explainDetect(opts: ExplainOptions): Promise<number> {
  const report = await withProgress('explain --detect', headsSteps(await openEngine(opts), opts.seed));
  show(
    opts,
    () =>
      renderJson(
        'explain --detect',
        { model: opts.model ?? null, family: opts.family ?? null, seed: opts.seed },
        report,
      ),
    (style) => renderHeadsReport(report, style),
  );
  return report.interrupted ? INTERRUPTED : 0;
}
