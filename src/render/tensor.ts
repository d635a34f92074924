import { nonFiniteLine } from './stats-line.js';
import type { TensorReport } from '../explain/tensor.js';
import { renderMaskReport } from './mask.js';
import { fixed, grouped, safe, type Style } from './style.js';

function matchedBy(r: TensorReport): string {
  if (r.via === 'mask') return 'computed for every input, not stored';
  if (r.via === 'pattern') return 'a common naming pattern (no shipped family uses this exact name)';
  if (r.via === 'model')
    return r.family === 'microgpt'
      ? 'a parameter of the model'
      : `a parameter of the tiny ${safe(r.family!)} model (microGPT scale, the family's kernels)`;
  const how = r.via === 'gguf' ? `${safe(r.family!)}'s GGUF name` : `${safe(r.family!)}'s template`;
  const also = r.alsoIn.length ? `; the same name in ${r.alsoIn.map(safe).join(', ')}` : '';
  return `${how} ${safe(r.template!)}${also}`;
}

export function renderTensorReport(r: TensorReport, s: Style): string {
  const head = [
    `${s.bold(safe(r.name))}${r.family ? ` (${safe(r.family)})` : ''}`,
    `  Role:        ${safe(r.info.title)} (${safe(r.role)})${r.layer !== null ? `, layer ${r.layer}` : ''}`,
    `  Matched by:  ${matchedBy(r)}`,
    ...(r.shape
      ? [
          `  Shape:       [${r.shape.join(', ')}]${r.via === 'mask' ? ' for the input length shown' : r.via === 'model' ? '' : r.family ? ` (${safe(r.family)}'s smallest size)` : ''}`,
        ]
      : []),
    ...(r.count !== null ? [`  Elements:    ${grouped(r.count)}`] : []),
    `  Where:       ${safe(r.info.stage)}`,
    `  Formula:     ${safe(r.info.formula)}`,
    ...(r.values
      ? [
          `  Values:      mean ${fixed(r.values.stats.mean, 4)}, std ${fixed(r.values.stats.std, 4)}, range [${fixed(r.values.stats.min, 4)}, ${fixed(r.values.stats.max, 4)}] (${safe(r.values.weightsFrom)})`,
          ...nonFiniteLine(r.name, r.values.stats, r.values.weightsFrom, s),
        ]
      : []),
  ].join('\n');
  return r.mask ? `${head}\n\n${renderMaskReport(r.mask, s)}` : head;
}
