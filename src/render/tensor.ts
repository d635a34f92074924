import type { TensorReport } from '../explain/tensor.js';
import { renderMaskReport } from './mask.js';
import { grouped, safe, type Style } from './style.js';

export function renderTensorReport(r: TensorReport, s: Style): string {
  const head = [
    `${s.bold(safe(r.name))} (${safe(r.family)})`,
    `  Role:        ${safe(r.info.title)} (${safe(r.role)})`,
    `  Shape:       [${r.shape.join(', ')}]${r.stored ? '' : ' for the input length shown (computed per input, not stored)'}`,
    `  Elements:    ${grouped(r.count)}`,
    `  Where:       ${safe(r.info.stage)}`,
    `  Formula:     ${safe(r.info.formula)}`,
  ].join('\n');
  return r.mask ? `${head}\n\n${renderMaskReport(r.mask, s)}` : head;
}
