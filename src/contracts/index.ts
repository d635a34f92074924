export type { Contract, Constraints, SizeVariant, TensorTemplate } from './schema.js';
export { parseContract, loadContractFile, loadContractDir, concreteName, type LoadedContract } from './loader.js';
export { headDimOf, shapeVariables, copiesOf, parameterTemplates, templateParameterCount } from './templates.js';
export {
  nameIndex,
  NameIndex,
  parseTemplate,
  matchParts,
  skeleton,
  instantiate,
  type NameMatch,
  type NameKind,
} from './names.js';
export { ContractSet, SHIPPED_CONTRACTS_DIR } from './registry.js';
export { evaluate } from './expr.js';
export {
  resolveKernelTarget,
  asResolved,
  familyOfConfig,
  configArchitectures,
  type Resolved,
  type ConfigFamily,
} from './resolve.js';
export {
  readHfConfig,
  looksLikeHfConfig,
  configField,
  ropeParameters,
  ACTIVATION_KEYS,
  PARALLEL_KEYS,
  declaredSizes,
  configProblems,
  CONFIG_SIZE_KEYS,
  SIZE_LIMITS,
  type HfConfigReading,
  type Derivation,
} from './hfconfig.js';
export { genericBuffer, GENERIC_BUFFERS } from './buffers.js';
