export * from './types.js';
export * from './ggml.js';
export * from './dtypes.js';
export {
  openRegular,
  readAt,
  closeFile,
  withFile,
  readRegularFile,
  readJsonFile,
  statPath,
  READ_LIMITS,
  describeBytes,
  type OpenFile,
} from './file.js';
export { readSafetensorsHeader, type SafetensorsHeader } from './safetensors-header.js';
export {
  readGgufHeader,
  ggufNumber,
  ggufString,
  type GgufHeader,
  type GgufKv,
  type GgufValue,
  type GgufArray,
} from './gguf.js';
export { readShardedIndex, type ShardedIndex } from './shards.js';
export {
  openModelFiles,
  CACHE_FORMAT,
  openSafetensorsHeader,
  openSafetensorsMetadata,
  looksLikeModelFile,
  type ModelFiles,
  type ModelFormat,
  type FileSummary,
  type OpenOptions,
} from './open.js';
export { canDecode, streamValues, streamPair, scanTensor, type ValueCounts } from './values.js';
