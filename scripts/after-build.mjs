// After tsc: make the CLI executable, and mark dist/ as ES modules so that Node's
// package-scope lookup for every loaded module stops at dist/ instead of walking
// up to the project's package.json (measurably faster start-up).
import { chmodSync, writeFileSync } from 'node:fs';
chmodSync('dist/src/cli.js', 0o755);
writeFileSync('dist/package.json', JSON.stringify({ type: 'module', private: true }) + '\n');
