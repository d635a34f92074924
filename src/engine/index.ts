export * from './hooks.js';
export * from './site.js';
export * from './types.js';
export { softmax, crossEntropyOf, topK } from './softmax.js';
export {
  documentWindows,
  generate,
  generating,
  sequenceLoss,
  windowLoss,
  type Generated,
  type GeneratedToken,
  type Candidate,
  type GenerateOptions,
} from './generate.js';
export { runSteps, runStepsWith, Work, type Steps, type WorkOptions } from './work.js';
export { inputIds, tokenLabel } from './input.js';
