import { kernel } from '../kernels/index.js';
import { headDim, type Architecture, type ModelConfig } from '../model/index.js';
import type { Static } from '@sinclair/typebox';
import type { ArchitectureReportSchema } from './schema.js';

export type ArchitectureReport = Static<typeof ArchitectureReportSchema>;

export function architectureReport(config: ModelConfig, arch: Architecture, parameters: number): ArchitectureReport {
  const dk = headDim(config);
  return {
    family: arch.family,
    attentionType: arch.attention_type,
    attentionTitle: kernel('attention_type', arch.attention_type).title,
    heads: config.nHead,
    kvHeads: config.nKvHead,
    headDim: dk,
    totalAttnDim: config.nHead * dk,
    scale: 1 / Math.sqrt(dk),
    layers: config.nLayer,
    nEmbd: config.nEmbd,
    blockSize: config.blockSize,
    vocabSize: config.vocabSize,
    parameters,
  };
}
