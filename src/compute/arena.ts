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
  private u8 = new Uint8Array(this.memory.buffer);

  constructor(private readonly residentLimit: number) {}

  /** Starts a new call's layout. */
  reset(): void {
    this.top = this.floor;
  }

  /** Zeroed room for a matrix that stays, or null when it would pass the resident limit. */
  allocResident(bytes: number): Uint8Array | null {
    const size = Math.ceil(bytes / 64) * 64;
    if (this.floor + size > Math.min(this.residentLimit, Arena.LIMIT)) return null;
    const at = this.floor;
    this.floor = this.top = at + size;
    this.ready();
    const storage = new Uint8Array(this.u8.buffer, at, bytes);
    storage.fill(0); // earlier calls' activations may have used this room
    return storage;
  }

  /** Gives back the room of the last resident matrix (earlier ones stay where they are). */
  freeResident(at: number, bytes: number): void {
    if (at + Math.ceil(bytes / 64) * 64 === this.floor) this.floor = at;
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
    if (this.top > Arena.LIMIT)
      throw new RangeError(`compute: one call needs ${(this.top / 2 ** 30).toFixed(2)} GiB of activations (at most 4)`);
    const have = this.memory.buffer.byteLength;
    if (this.top > have) this.memory.grow(Math.ceil((this.top - have) / PAGE));
    if (this.u8.byteLength !== this.memory.buffer.byteLength) this.u8 = new Uint8Array(this.memory.buffer);
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
