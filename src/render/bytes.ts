import { grouped } from './style.js';

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 548105171 → "522.7 MiB"; exact bytes stay in the JSON. */
export function binarySize(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${grouped(n)} bytes` : `${v.toFixed(1)} ${UNITS[u]}`;
}

/** The exact count grouped, and above a KiB the binary size too: "1,073,741,824 bytes (1 GiB)" style. */
export const bytesWithSize = (n: number): string =>
  n < 1024 ? `${grouped(n)} bytes` : `${grouped(n)} bytes (${binarySize(n)})`;
