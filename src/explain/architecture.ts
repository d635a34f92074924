import { kernel } from '../kernels/index.js';
import { headDim, type Architecture, type ModelConfig } from '../model/index.js';

export interface ArchitectureReport {
  family: string;
  attentionType: string;
  attentionTitle: string;
  heads: number;
  kvHeads: number;
  headDim: number;
  totalAttnDim: number;
  scale: number;
  layers: number;
  nEmbd: number;
  blockSize: number;
  vocabSize: number;
  parameters: number;
}

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
