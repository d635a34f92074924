import { execFileSync } from 'node:child_process';

/** CLI tests run the built binary, so build once before any test runs (tsc is incremental enough at this size). */
export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
}
