/**
 * Long work (patching every head at every position, ablating every component,
 * scoring every head) measured in units: it reports its progress, can be asked
 * to stop between units (Ctrl-C), and gives the event loop a turn every few
 * tens of milliseconds so that a signal is seen at all — the model runs are
 * synchronous. A report built from an interrupted run says what it finished.
 */
export interface WorkOptions {
  /** Called as units finish: how many of how many. */
  onProgress?: (done: number, total: number) => void;
  /** Asked between units; true stops the work after the current one. */
  shouldStop?: () => boolean;
}

/** How long synchronous work runs before it lets the event loop in. */
const SLICE_MS = 50;

export class Work {
  private done = 0;
  private last = performance.now();
  constructor(
    private readonly total: number,
    private readonly opts: WorkOptions = {},
  ) {
    opts.onProgress?.(0, total);
  }

  /** Counts finished units, and between slices yields to the event loop; false once asked to stop. */
  async step(units = 1): Promise<boolean> {
    this.done += units;
    this.opts.onProgress?.(this.done, this.total);
    if (performance.now() - this.last >= SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      this.last = performance.now();
    }
    return !this.stopped;
  }

  get stopped(): boolean {
    return this.opts.shouldStop?.() === true;
  }
}

/**
 * Long work written once for both callers: a generator that yields the units
 * it has just finished and is told, at each yield, whether to stop (then it
 * returns what it finished). `total` units in all.
 */
export interface Steps<T> {
  total: number;
  steps: Generator<number, T, boolean>;
}

/** Runs the steps to the end at once (tests, library callers): never stopped. */
export function runSteps<T>({ steps }: Steps<T>): T {
  for (;;) {
    const r = steps.next(false);
    if (r.done) return r.value;
  }
}

/** Runs the steps with progress, yielding to the event loop between slices and stopping when asked (Ctrl-C). */
export async function runStepsWith<T>({ total, steps }: Steps<T>, opts?: WorkOptions): Promise<T> {
  const work = new Work(total, opts);
  let r = steps.next(false);
  while (!r.done) r = steps.next(!(await work.step(r.value)));
  return r.value;
}
