import { readSync } from 'node:fs';

/** Reads `into` from `position` of file `fd`, all of it; throws when the file ends first. */
export function readAll(fd: number, position: number, into: Uint8Array): void {
  let got = 0;
  for (let r = 1; got < into.length && r > 0; got += r) r = readSync(fd, into, got, into.length - got, position + got);
  if (got < into.length) throw new RangeError(`compute: the file ended ${into.length - got} bytes early`);
}
