/**
 * Long work on a terminal: a progress bar with an ETA on stderr once the work
 * has run for a second (nothing when stderr is piped, so logs stay clean), and
 * Ctrl-C stops it after the current unit — the command then prints what was
 * finished and exits 130.
 */
import { runStepsWith, type Steps, type WorkOptions } from '../engine/index.js';

/** Work shorter than this shows no bar at all. */
const QUIET_MS = 1000;

export interface Stoppable {
  work: WorkOptions;
  /** Ctrl-C was pressed during the work. */
  readonly interrupted: boolean;
  /** Takes the bar down and the Ctrl-C handler off; call when the work is over, whatever happened. */
  done(): void;
}

export async function progress(label: string): Promise<Stoppable> {
  let interrupted = false;
  const onSigint = () => void (interrupted = true);
  process.on('SIGINT', onSigint);
  const started = performance.now();
  let bar: import('cli-progress').SingleBar | null = null;
  const cliProgress = process.stderr.isTTY ? (await import('cli-progress')).default : null;
  return {
    work: {
      shouldStop: () => interrupted,
      onProgress: (done, total) => {
        if (!cliProgress || performance.now() - started < QUIET_MS) return;
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              format: `${label} [{bar}] {value}/{total} | ETA {eta_formatted}`,
              hideCursor: true,
              clearOnComplete: true,
              stream: process.stderr,
              fps: 10,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, done);
        } else bar.update(done);
      },
    },
    get interrupted() {
      return interrupted;
    },
    done: () => {
      bar?.stop();
      process.off('SIGINT', onSigint);
    },
  };
}

/** Exit code of a command its user stopped with Ctrl-C (128 + SIGINT). */
export const INTERRUPTED = 130;

/** Long work with the bar and Ctrl-C, handed the work options its builder takes; the bar goes whatever happens. */
export async function withWork<T>(label: string, run: (work: WorkOptions) => Promise<T>): Promise<T> {
  const stop = await progress(label);
  try {
    return await run(stop.work);
  } finally {
    stop.done();
  }
}

/** Long work with the bar and Ctrl-C: the report it returns says whether it was stopped. */
export const withProgress = <T>(label: string, steps: Steps<T>): Promise<T> =>
  withWork(label, (work) => runStepsWith(steps, work));
