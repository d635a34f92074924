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
