/** Sizes and constants of a microGPT-style model. */
export interface ModelConfig {
  vocabSize: number;
  nEmbd: number;
  nHead: number;
  /** Key/value heads: nHead for MHA, fewer for GQA, 1 for MQA. */
  nKvHead: number;
  nLayer: number;
  blockSize: number;
  /** MLP hidden width (4·n_embd in microGPT). */
  nHidden: number;
  normEps: number;
  initStd: number;
}

/** Karpathy's microgpt, exactly (docs/architecture.md). */
export const MICROGPT: ModelConfig = {
  vocabSize: 27,
  nEmbd: 16,
  nHead: 4,
  nKvHead: 4,
  nLayer: 1,
  blockSize: 16,
  nHidden: 64,
  normEps: 1e-5,
  initStd: 0.08,
};

export function headDim(c: ModelConfig): number {
  return c.nEmbd / c.nHead;
}
