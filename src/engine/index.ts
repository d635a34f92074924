export * from './hooks.js';
export * from './site.js';
export * from './types.js';
export { softmax, crossEntropyOf, topK } from './softmax.js';
export { generate, sequenceLoss, type Generated, type GeneratedToken, type Candidate } from './generate.js';
export { inputIds, tokenLabel } from './input.js';
