import type { TensorReport } from '../explain/tensor.js';
import { renderMaskReport } from './mask.js';
import { fixed, grouped, safe, type Style } from './style.js';

export function renderTensorReport(r: TensorReport, s: Style): string {
  const head = [
    `${s.bold(safe(r.name))} (${safe(r.family)})`,
    `  Role:        ${safe(r.info.title)} (${safe(r.role)})`,
    `  Shape:       [${r.shape.join(', ')}]${r.stored ? '' : ' for the input length shown (computed per input, not stored)'}`,
    `  Elements:    ${grouped(r.count)}`,
    `  Where:       ${safe(r.info.stage)}`,
    `  Formula:     ${safe(r.info.formula)}`,
    ...(r.values
      ? [`  Values:      mean ${fixed(r.values.stats.mean, 4)}, std ${fixed(r.values.stats.std, 4)}, range [${fixed(r.values.stats.min, 4)}, ${fixed(r.values.stats.max, 4)}] (${safe(r.values.weightsFrom)})`]
      : []),
  ].join('\n');
  return r.mask ? `${head}\n\n${renderMaskReport(r.mask, s)}` : head;
}
