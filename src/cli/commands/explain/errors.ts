/** explain MGnnn | --errors: what an error code means, or the list of codes. */
import { buildErrorCodesReport } from '../../../explain/error-codes.js';
import { renderErrorCodes } from '../../../render/error-codes.js';
import { renderJson } from '../../../render/json.js';
import { show } from '../../output.js';
import type { ExplainOptions } from './types.js';

export async function explainErrors(code: string | undefined, opts: ExplainOptions): Promise<number> {
  const report = buildErrorCodesReport(code);
  show(
    opts,
    () => renderJson('explain --errors', { code: code ?? null }, report),
    (style) => renderErrorCodes(report, style),
  );
  return 0;
}
