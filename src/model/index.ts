export { Tokenizer, BOS_LABEL } from './tokenizer.js';
export { MICROGPT, headDim, type ModelConfig } from './config.js';
export { parameterShapes, parameterSpecs, initParameters, type ParamSpec } from './params.js';
export { alibiSlopes, blockTypeOf, hasPositionTable, isGated, isRotary, rotaryDims } from './architecture.js';
export { resized, tinyInstance } from './family.js';
export { Gpt, MICROGPT_ARCHITECTURE, type Architecture } from './gpt.js';
export { builtinNames, readDocs, BUILTIN_CORPUS } from './corpus.js';
export { trainSteps, type TrainOptions, type TrainState } from './train.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  checkpointBytes,
  checkpointFromBytes,
  type LoadedCheckpoint,
  type CheckpointInfo,
} from './checkpoint.js';
