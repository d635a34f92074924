/** One tensor as a model file declares it. Shapes are in PyTorch order (outermost dimension first) for every format. */
export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  elements: number;
  bytes: number;
  /** The file holding the data, and where the data starts in it (absolute byte offset). */
  file: string;
  offset: number;
}

/**
 * A defect found in a file's structure: where (a tensor, a shard, the header)
 * and what, with the error code a command that must run the model refuses it
 * with (the same code the checkpoint reader gives the same defect).
 */
export interface Problem {
  where: string;
  message: string;
  code?: string;
}

/** Hard limits on what a file may claim, so an untrusted count never drives an allocation. */
export const LIMITS = {
  /** safetensors' own reference limit on the JSON header. */
  safetensorsHeaderBytes: 100 * 1024 * 1024,
  /** A header is an object of tensor entries holding arrays: 3 levels. Extra fields may nest a little more. */
  safetensorsJsonDepth: 16,
  /** config.json and the shard index: real ones nest 4 or 5 levels. */
  jsonDepth: 64,
  ggufKvCount: 100_000,
  ggufTensorCount: 10_000_000,
  ggufStringBytes: 64 * 1024 * 1024,
  ggufArrayDepth: 4,
  maxDims: 8,
  indexJsonBytes: 64 * 1024 * 1024,
  configJsonBytes: 4 * 1024 * 1024,
} as const;
