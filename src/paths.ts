import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's own folder (the one holding package.json), found by walking up
 * from this file, so it is the same whether the code runs from src/ under tsx
 * or from dist/src/ after the build.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'contracts'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('microgpt: cannot find the package folder (package.json beside contracts/)');
    dir = up;
  }
}
