export { Tokenizer, BOS_LABEL } from './tokenizer.js';
export { MICROGPT, headDim, withVocab, type ModelConfig } from './config.js';
export { parameterShapes, initParameters } from './params.js';
export { Gpt, MICROGPT_ARCHITECTURE, type Architecture, type ForwardResult, type ForwardTrace } from './gpt.js';
