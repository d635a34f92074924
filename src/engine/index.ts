export * from './hooks.js';
export * from './site.js';
export * from './types.js';
export { softmax, crossEntropyOf, topK } from './softmax.js';
export {
  documentWindows,
  generate,
  sequenceLoss,
  windowLoss,
  type Generated,
  type GeneratedToken,
  type Candidate,
} from './generate.js';
export { Work, type WorkOptions } from './work.js';
export { inputIds, tokenLabel } from './input.js';
