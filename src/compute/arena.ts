/**
 * The shared WebAssembly memory every thread's kernels run in. From the bottom:
 * the kernels' constant tables, then resident weight matrices (allocated for
 * good, while they fit under `residentLimit`), then one call's activations,
 * result and per-thread scratch (laid out anew for each call). Matrices that do
 * not fit live in SharedArrayBuffers of their own, so the 4 GiB a memory may
 * hold bounds one call's activations and the resident weights, never the model.
 */

const PAGE = 65536;
/** Below this: the kernels' own constant tables (AssemblyScript puts them from 1 KiB up). */
const BASE = PAGE;
/** A shared memory cannot move, so its maximum is reserved (address space only) up front. */
const MAX_PAGES = 65536;

export class Arena {
  readonly memory = new WebAssembly.Memory({ initial: 256, maximum: MAX_PAGES, shared: true });
  /** End of the resident weights: each call's layout starts here. */
  private floor = BASE;
  private top = BASE;
  /** The highest byte any layout has reached: above it the memory is as grow() made it, zeros. */
  private touched = BASE;
  private u8 = new Uint8Array(this.memory.buffer);
  /** Every buffer object this memory has been seen through (a grown shared memory hands out a new one; old views stay valid). */
  private readonly buffers = new WeakSet<ArrayBufferLike>([this.u8.buffer]);

  constructor(private readonly residentLimit: number) {}

  /** Where a view into this memory (a cache or part of one) starts; undefined for any other array. */
  offsetOf(a: ArrayBufferView): number | undefined {
    return this.buffers.has(a.buffer) ? a.byteOffset : undefined;
  }

  /** Starts a new call's layout. */
  reset(): void {
    this.top = this.floor;
  }

  /**
   * Zeroed room for a matrix or cache that stays, or null when it would pass
   * the resident limit; the first `written` bytes are left as they are (the
   * caller overwrites them all).
   */
  allocResident(bytes: number, written = 0): Uint8Array | null {
    const size = Math.ceil(bytes / 64) * 64;
    let at = this.fromHole(size);
    if (at < 0) {
      if (this.floor + size > Math.min(this.residentLimit, Arena.LIMIT)) return null;
      at = this.floor;
      this.floor = at + size;
    }
    // Earlier calls' activations (or an earlier owner) may have used this room; memory never used is zeros already.
    const used = Math.max(0, Math.min(bytes, this.touched - at));
    this.top = this.floor;
    this.ready();
    if (used > written) this.zero(at + written, used - written);
    return new Uint8Array(this.u8.buffer, at, bytes);
  }

  /** Zeros [at, at + n), eight bytes a store where aligned: a byte-wise fill of shared memory is about 3× slower. */
  private zero(at: number, n: number): void {
    const head = Math.min(n, (8 - (at % 8)) % 8),
      words = Math.floor((n - head) / 8);
    this.u8.fill(0, at, at + head);
    new Float64Array(this.u8.buffer, at + head, words).fill(0);
    this.u8.fill(0, at + head + 8 * words, at + n);
  }

  /**
   * Room given back below the floor, [at, end) in address order, merged with
   * its neighbours: a released cache or matrix makes room for the next one
   * (an engine allocates caches per run and releases them after).
   */
  private holes: Array<[number, number]> = [];

  /** First fit among the holes; -1 when none is big enough. */
  private fromHole(size: number): number {
    for (let i = 0; i < this.holes.length; i++) {
      const [at, end] = this.holes[i]!;
      if (end - at < size) continue;
      if (end - at === size) this.holes.splice(i, 1);
      else this.holes[i] = [at + size, end];
      return at;
    }
    return -1;
  }

  /** Gives back the room of a resident matrix or cache; the floor comes down when the top one goes. */
  freeResident(at: number, bytes: number): void {
    let start = at,
      end = at + Math.ceil(bytes / 64) * 64;
    const i = this.holes.findIndex(([a]) => a > start);
    const at2 = i < 0 ? this.holes.length : i;
    const before = this.holes[at2 - 1],
      after = this.holes[at2];
    let from = at2,
      count = 0;
    if (before && before[1] === start) {
      start = before[0];
      from--;
      count++;
    }
    if (after && after[0] === end) {
      end = after[1];
      count++;
    }
    if (end === this.floor) {
      this.holes.splice(from, count);
      this.floor = this.top = start;
    } else this.holes.splice(from, count, [start, end]);
  }

  /** Room for `bytes`, 64-byte aligned; returns its offset. Call ready() before use. */
  take(bytes: number): number {
    const at = this.top;
    this.top += Math.ceil(bytes / 64) * 64;
    return at;
  }

  /** Bytes a layout may take: what one call may need, with room for the kernels' tables. */
  static readonly LIMIT = MAX_PAGES * PAGE - 2 * PAGE;

  /** Grows the memory to hold everything taken; the views follow. */
  ready(): void {
    this.touched = Math.max(this.touched, this.top);
    if (this.top > Arena.LIMIT)
      throw new RangeError(`compute: one call needs ${(this.top / 2 ** 30).toFixed(2)} GiB of activations (at most 4)`);
    const have = this.memory.buffer.byteLength;
    if (this.top > have) this.memory.grow(Math.ceil((this.top - have) / PAGE));
    if (this.u8.byteLength !== this.memory.buffer.byteLength) {
      this.u8 = new Uint8Array(this.memory.buffer);
      this.buffers.add(this.u8.buffer);
    }
  }

  f32(at: number, n: number): Float32Array {
    return new Float32Array(this.u8.buffer, at, n);
  }

  f64(at: number, n: number): Float64Array {
    return new Float64Array(this.u8.buffer, at, n);
  }

  /** Room left above the resident weights for one call. */
  get free(): number {
    return Arena.LIMIT - this.floor;
  }

  get bytes(): Uint8Array {
    return this.u8;
  }

  /** Copies values in at `at`. */
  put(at: number, values: Float32Array): void {
    this.f32(at, values.length).set(values);
  }
}
