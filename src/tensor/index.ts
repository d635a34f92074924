export { Tensor, sizeOf } from './tensor.js';
export { Graph } from './graph.js';
export { Rng } from './prng.js';
export { Adam, MICROGPT_ADAM, type AdamOptions } from './adam.js';
export { matmul, matmulT, transpose } from './ops/linalg.js';
export { add, mul, scale, relu, exp, log } from './ops/elementwise.js';
export { sum, mean } from './ops/reduce.js';
export { reshape, sliceCols, concatCols } from './ops/shape.js';
export { softmaxRows, rmsnormRows, gather, addCausalMask, crossEntropy, MASK_VALUE } from './ops/nn.js';
