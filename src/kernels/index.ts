export * from './types.js';
export { KERNELS, kernel, valuesOf, executable } from './registry.js';
