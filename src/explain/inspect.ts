import type { Contract } from '../contracts/index.js';
import type { TapedEngine } from '../model/taped-engine.js';
import { architectureReport, type ArchitectureReport } from './architecture.js';
import { pipelineOf, type PipelineRow } from './kernel.js';
import { stats, type Stats } from './stats.js';
import { roleOf } from './tensor.js';
import type { Static } from '@sinclair/typebox';
import type { InspectReportSchema } from './schema.js';

export type InspectReport = Static<typeof InspectReportSchema>;

/** A microGPT-format model (a checkpoint, or a fresh one): what it is and every tensor's statistics. */
export function buildInspectReport(engine: TapedEngine, contract: Contract): InspectReport {
  const model = engine.model;
  const tensors = [...model.params].map(([name, t]) => ({
    name,
    role: roleOf(contract, name) ?? '—',
    shape: [...t.shape],
    stats: stats(t.data),
  }));
  return {
    kind: 'inspect',
    weightsFrom: engine.info.weightsFrom,
    family: contract.family,
    training: engine.source.training,
    architecture: architectureReport(engine.info),
    tensors,
    parameterCount: model.parameterCount,
    pipeline: pipelineOf(contract),
    failedChecks: tensors.filter((t) => t.stats.nan + t.stats.inf > 0).length,
  };
}
