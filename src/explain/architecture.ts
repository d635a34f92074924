import { kernel } from '../kernels/index.js';
import type { EngineInfo } from '../engine/index.js';
import type { Static } from '@sinclair/typebox';
import type { ArchitectureReportSchema } from './schema.js';

export type ArchitectureReport = Static<typeof ArchitectureReportSchema>;

/** What a running model is, from its engine's facts. */
export function architectureReport(info: EngineInfo): ArchitectureReport {
  return {
    family: info.family,
    attentionType: info.kernels.attention_type,
    attentionTitle: kernel('attention_type', info.kernels.attention_type).title,
    heads: info.heads,
    kvHeads: info.kvHeads,
    headDim: info.headDim,
    totalAttnDim: info.heads * info.headDim,
    scale: info.scale,
    layers: info.layers,
    nEmbd: info.dModel,
    blockSize: info.context,
    vocabSize: info.vocab,
    parameters: info.parameters,
  };
}
