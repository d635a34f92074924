/** Every command, in the order help lists them. Each module declares its options and help; its run loads the rest. */
import type { CommandModule } from '../command.js';
import { ablate } from './ablate.js';
import { cache } from './cache.js';
import { completion } from './completion.js';
import { contracts } from './contracts.js';
import { diff } from './diff.js';
import { evalCommand } from './eval.js';
import { example } from './example.js';
import { explain } from './explain/index.js';
import { inspect } from './inspect.js';
import { lab } from './lab.js';
import { patch } from './patch.js';
import { sample } from './sample.js';
import { trace } from './trace.js';
import { train } from './train.js';
import { validate } from './validate.js';

export const COMMANDS: readonly CommandModule[] = [
  explain,
  example,
  train,
  evalCommand,
  sample,
  inspect,
  validate,
  diff,
  trace,
  contracts,
  ablate,
  patch,
  cache,
  lab,
  completion,
];
