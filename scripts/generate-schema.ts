// Writes contracts/schema.json from the one schema in src/contracts/schema.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractJsonSchema } from '../src/contracts/schema.js';
import { packageRoot } from '../src/paths.js';

const file = join(packageRoot(), 'contracts', 'schema.json');
writeFileSync(file, JSON.stringify(contractJsonSchema(), null, 2) + '\n');
console.log(`wrote ${file}`);
