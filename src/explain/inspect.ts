import type { Contract } from '../contracts/index.js';
import type { Gpt } from '../model/index.js';
import { architectureReport, type ArchitectureReport } from './architecture.js';
import { pipelineOf, type PipelineRow } from './kernel.js';
import { stats, type Stats } from './stats.js';
import { roleOf } from './tensor.js';
import type { Static } from '@sinclair/typebox';
import type { InspectReportSchema } from './schema.js';

export type InspectReport = Static<typeof InspectReportSchema>;

export function buildInspectReport(
  model: Gpt,
  contract: Contract,
  source: { weightsFrom: string; training: Record<string, unknown> | null },
): InspectReport {
  return {
    kind: 'inspect',
    weightsFrom: source.weightsFrom,
    family: contract.family,
    training: source.training,
    architecture: architectureReport(model.config, model.architecture, model.parameterCount),
    tensors: [...model.params].map(([name, t]) => ({
      name,
      role: roleOf(contract, name) ?? '—',
      shape: [...t.shape],
      stats: stats(t.data),
    })),
    parameterCount: model.parameterCount,
    pipeline: pipelineOf(contract),
  };
}
