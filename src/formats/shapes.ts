/** At most this many distinct shapes are shared per header; past it (a hostile file) shapes are kept as read. */
const MAX_SHARED = 1024;

/**
 * One array per distinct shape: a model's tensors repeat a few shapes (every
 * layer the same), so 100,000 records need a handful of arrays instead of
 * 100,000. Shared shapes are frozen, so no reader can change one tensor's
 * shape through another's.
 */
export class SharedShapes {
  private readonly byKey = new Map<string, number[]>();

  /** The shared array for `dims` (which may be a scratch array: it is never kept itself). */
  of(dims: readonly number[]): number[] {
    const key = dims.join(',');
    const shared = this.byKey.get(key);
    if (shared) return shared;
    // A copy of exactly its length: arrays grown by push keep room for 16 elements.
    if (this.byKey.size >= MAX_SHARED) return dims.slice();
    const frozen = Object.freeze(dims.slice()) as number[];
    this.byKey.set(key, frozen);
    return frozen;
  }
}
