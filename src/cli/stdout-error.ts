/**
 * What a failed write to stdout means. A closed pipe (`microgpt … | head`) is
 * the reader's choice: exit 0, silently. Any other failure (a full disk,
 * `> /dev/full`, an I/O error) loses the report, so it is one error line and
 * exit 74 (sysexits EX_IOERR) — not 1, which here means "a check failed".
 */
import { safe } from '../render/escape.js';

/** sysexits.h EX_IOERR: an error while doing I/O on a file. */
export const EXIT_IO_ERROR = 74;

/** Reports a stdout error on stderr (nothing for EPIPE) and returns the exit code to leave with. */
export function stdoutErrorExit(e: NodeJS.ErrnoException): number {
  if (e.code === 'EPIPE') return 0;
  process.stderr.write(
    `microgpt: error MG049: could not write the output: ${safe(e.message)}; free space on that disk or send the output elsewhere\n`,
  );
  return EXIT_IO_ERROR;
}
