import type { OutputOptions } from '../../output.js';
import type { Usage } from '../../usage.js';

/** explain's options, as commander parses them; each mode reads its own. */
export interface ExplainOptions extends OutputOptions {
  attention?: string | true;
  ids?: number[];
  tensor?: string;
  kernel?: string | true;
  verbose?: boolean;
  /** With --attention: which heads to show (HEAD or LAYER.HEAD, comma-separated). */
  heads?: string;
  detect?: boolean;
  layer?: number;
  html?: string;
  /** Replace an existing --html file that microgpt did not write. */
  force?: boolean;
  errors?: boolean;
  seed: number;
  len: number;
  family?: string;
  size?: string;
  vs?: string;
  model?: string;
  contracts?: string[];
  memory?: boolean;
  context?: number;
  batch: number;
  kvDtype: string;
  /** Threads of a model folder's kernels. */
  threads?: number;
  usage?: Usage;
}
