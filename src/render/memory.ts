import type { MemoryReport } from '../explain/files/types.js';
import { bytesWithSize } from './bytes.js';
import { grouped, safe, type Style } from './style.js';
import { indent, indentedTable, table } from './table.js';

export function renderMemoryReport(r: MemoryReport, s: Style): string {
  const w = r.weights.map((x) => [x.dtype, bytesWithSize(x.bytes)]);
  const kv = r.kv;
  return [
    `${s.bold('Memory and compute')}: ${safe(r.family)} (${safe(r.source)}), ${grouped(r.parameters)} parameters`,
    [
      s.bold(
        r.weights[0]?.actual
          ? 'Weights (as stored in the file):'
          : 'Weights (if every matrix were stored as; norms and biases stay F32):',
      ),
      indentedTable(s, ['dtype', 'bytes'], w, ['left', 'right']),
    ].join('\n'),
    [
      s.bold(`KV cache (${kv.dtype}, context ${grouped(kv.context)}, batch ${kv.batch}):`),
      `  per token:  ${bytesWithSize(kv.bytesPerToken)}`,
      `  per layer:  ${bytesWithSize(kv.bytesPerLayer)}`,
      `  total:      ${bytesWithSize(kv.totalBytes)}`,
      `  = ${safe(kv.formula)}`,
    ].join('\n'),
    [
      s.bold('Compute per token:'),
      `  ${grouped(r.flops.perToken)} FLOPs = 2 × ${grouped(r.flops.matmulParameters)} + ${grouped(r.flops.attentionTerm)} (attention over the context)`,
      `  ${safe(r.flops.formula)}`,
      ...(r.flops.note ? [`  ${safe(r.flops.note)}`] : []),
    ].join('\n'),
  ].join('\n\n');
}
