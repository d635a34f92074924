export * from './types.js';
export { KERNELS, kernel, valuesOf, executable, type KernelPath } from './registry.js';
