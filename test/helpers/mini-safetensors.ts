/**
 * A minimal safetensors reader written from the format's definition (8-byte
 * little-endian header length, JSON header, raw little-endian data), sharing
 * no code with the project's own reader.
 */
export function readSafetensors(bytes: Uint8Array): {
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>;
} {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const base = 8 + n;
  const tensors: Record<string, { dtype: string; shape: number[]; values: number[] }> = {};
  for (const [name, e] of Object.entries<any>(header)) {
    if (name === '__metadata__') continue;
    const [b, end] = e.data_offsets;
    const size = e.dtype === 'F32' ? 4 : 8;
    const values: number[] = [];
    for (let o = base + b; o < base + end; o += size)
      values.push(size === 4 ? dv.getFloat32(o, true) : dv.getFloat64(o, true));
    tensors[name] = { dtype: e.dtype, shape: e.shape, values };
  }
  return { metadata: header.__metadata__ ?? {}, tensors };
}
