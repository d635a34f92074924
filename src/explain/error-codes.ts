import { MicrogptError } from '../errors.js';
import { ERROR_CODES, type ErrorCodeInfo } from '../error-codes.js';
import { didYouMean } from '../suggest.js';
import type { Static } from '@sinclair/typebox';
import type { ErrorCodesReportSchema } from './schema.js';

export type ErrorCodesReport = Static<typeof ErrorCodesReportSchema>;

/** One code's entry (`microgpt explain MG012`), or all of them (`--errors`). */
export function buildErrorCodesReport(code?: string): ErrorCodesReport {
  if (code === undefined)
    return { kind: 'error-codes', codes: Object.entries(ERROR_CODES).map(([c, info]) => ({ code: c, ...info })) };
  const key = code.toUpperCase();
  const info = Object.hasOwn(ERROR_CODES, key) ? ERROR_CODES[key] : undefined;
  if (!info)
    throw new MicrogptError(
      'MG006',
      `unknown error code "${code}"${didYouMean(key, Object.keys(ERROR_CODES))}; microgpt explain --errors lists them`,
    );
  return { kind: 'error-codes', codes: [{ code: key, ...info }] };
}
