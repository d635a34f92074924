export * from './types.js';
export { KERNELS, kernel, valuesOf } from './registry.js';
