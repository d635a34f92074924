/**
 * The caller thread and threads − 1 workers share one WebAssembly memory (the
 * arena: resident weights, activations, per-thread scratch) and the
 * SharedArrayBuffers of the weights that live outside it.
 * A job is posted through a control block; every thread, the caller included,
 * claims units until none is left; the caller then waits (Atomics.wait, allowed
 * on Node's main thread) for the last unit, so the API stays synchronous.
 * Workers start at the first job that can use them, or when a caller asks
 * (startThreads, to boot them while it does other work; a command that never
 * multiplies a matrix never starts one), are unref'd (they never keep the process
 * alive) and leave on close().
 */
import { readSync } from 'node:fs';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { CLOSED, CONTROL_INTS, MAX_JOB, runUnits, SLOTS } from './units.js';
import type { Kernels } from './wasm.js';

/**
 * The worker's whole program: instantiate the kernels on the shared memory,
 * then run jobs as they come. `run` is runUnits, handed in as a value: a
 * bundler may rename what this function imports, never its parameters.
 */
function workerMain(run: typeof runUnits): void {
  const { workerData, receiveMessageOnPort } = require('node:worker_threads');
  const { readSync } = require('node:fs');
  const { module, memory, control, port, thread, slots: S, matrices } = workerData;
  const abort = () => {
    throw new Error('compute: a kernel aborted');
  };
  const k = new WebAssembly.Instance(module, { env: { memory, abort } }).exports as unknown as Kernels;
  const ctl = new Int32Array(control);
  type Sent = [number, SharedArrayBuffer | null, number, number];
  const view = ([, b, offset, length]: Sent) => new Uint8Array(b!, offset, length);
  const known = new Map<number, Uint8Array>(matrices.map((m: Sent) => [m[0], view(m)]));
  const weights = (id: number): Uint8Array => {
    for (;;) {
      const m = known.get(id);
      if (m) return m;
      const msg = receiveMessageOnPort(port);
      if (!msg) throw new Error(`compute: matrix ${id} was never sent to worker ${thread}`);
      const sent = msg.message as Sent;
      if (sent[1]) known.set(sent[0], view(sent));
      else known.delete(sent[0]);
    }
  };
  let seen = 0;
  for (;;) {
    Atomics.wait(ctl, S.gen, seen);
    if (Atomics.load(ctl, S.stop)) return;
    seen = Atomics.load(ctl, S.gen);
    run(ctl, S, seen, k, memory, weights, thread, readSync);
  }
}

/** The source each worker evaluates: workerMain called with runUnits, both self-contained. */
function workerSource(): string {
  // A bundler may wrap functions in __name(fn, "name") to keep their names; the worker has no such helper.
  return `"use strict";\nvar __name = (f) => f;\n(${workerMain.toString()})(${runUnits.toString()});\n`;
}

/** A matrix's storage as posted to a worker: the buffer and where in it. */
const sent = (id: number, s: Uint8Array) => [id, s.buffer, s.byteOffset, s.byteLength];

export class Pool {
  readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_INTS * 4));
  private workers: { worker: Worker; port: MessagePort }[] = [];
  private readonly matrices = new Map<number, Uint8Array>();
  private gen = 0;
  /** What a worker died of (seen at the next job; the jobs themselves never depend on a worker). */
  private failure: unknown = null;

  constructor(
    readonly threads: number,
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    private readonly kernels: Kernels,
  ) {}

  /** Makes a matrix's storage (all of it, padding rows included) known to every worker, started now or later. */
  register(id: number, storage: Uint8Array): void {
    if (this.matrices.has(id)) return;
    this.matrices.set(id, storage);
    for (const w of this.workers) w.port.postMessage(sent(id, storage));
  }

  release(id: number): void {
    if (!this.matrices.delete(id)) return;
    for (const w of this.workers) w.port.postMessage([id, null, 0, 0]);
  }

  /** Starts the workers (once; run() starts them at the first job otherwise). */
  start(): void {
    if (this.threads === 1 || this.workers.length > 0) return;
    const source = workerSource();
    for (let t = 1; t < this.threads; t++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(source, {
        eval: true,
        // Not the parent's options: --input-type=module would make this script an ES module (no require),
        // --import a loader each worker would run. V8's flags (relaxed SIMD) are the process's anyway.
        execArgv: [],
        workerData: {
          module: this.module,
          memory: this.memory,
          control: this.control.buffer,
          port: port2,
          thread: t,
          slots: SLOTS,
          matrices: [...this.matrices].map(([id, storage]) => sent(id, storage)),
        },
        transferList: [port2],
      });
      worker.on('error', (e) => (this.failure ??= e));
      worker.unref();
      port1.unref();
      this.workers.push({ worker, port: port1 });
    }
  }

  /**
   * Runs one job: params in SLOTS.params order, `total` units. Returns when
   * every unit is done; throws what a unit threw.
   */
  run(kind: number, params: readonly number[], total: number): void {
    if (total > 0xffff) throw new Error(`compute: ${total} units in one job (at most 65,535)`);
    if (this.failure) throw this.failure;
    this.start();
    const c = this.control;
    // Closed first, then no thread left inside the previous job: only now may its fields change (see runUnits).
    Atomics.store(c, SLOTS.claim, CLOSED);
    for (let a = Atomics.load(c, SLOTS.active); a !== 0; a = Atomics.load(c, SLOTS.active))
      Atomics.wait(c, SLOTS.active, a);
    const gen = (this.gen = (this.gen % MAX_JOB) + 1);
    Atomics.store(c, SLOTS.kind, kind);
    Atomics.store(c, SLOTS.total, total);
    Atomics.store(c, SLOTS.failed, 0);
    params.forEach((v, i) => Atomics.store(c, SLOTS.params + i, v | 0));
    Atomics.store(c, SLOTS.done, 0);
    Atomics.store(c, SLOTS.claim, gen << 16);
    Atomics.store(c, SLOTS.gen, gen);
    if (this.workers.length) Atomics.notify(c, SLOTS.gen);
    const weights = (id: number) => this.matrices.get(id)!;
    const error = runUnits(c, SLOTS, gen, this.kernels, this.memory, weights, 0, readSync);
    for (let d = Atomics.load(c, SLOTS.done); d < total; d = Atomics.load(c, SLOTS.done))
      Atomics.wait(c, SLOTS.done, d);
    if (error) throw error;
    if (Atomics.load(c, SLOTS.failed)) throw new Error('compute: a kernel failed in a worker thread');
  }

  close(): void {
    Atomics.store(this.control, SLOTS.stop, 1);
    Atomics.add(this.control, SLOTS.gen, 1);
    Atomics.notify(this.control, SLOTS.gen);
    for (const w of this.workers) {
      w.port.close();
      void w.worker.terminate();
    }
    this.workers = [];
  }
}
