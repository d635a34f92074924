// Generates, from the one schema in src/contracts/schema.ts:
//   contracts/schema.json               — for editors ($schema in every contract)
//   src/contracts/check.generated.ts    — a compiled validator, so loading contracts
//                                         does not pay for TypeBox at start-up
// `npm run schema` writes them; test/contracts/schema.test.ts fails when they are stale.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedChecker, contractJsonSchema } from '../src/contracts/schema.js';
import { packageRoot } from '../src/paths.js';

const root = packageRoot();
writeFileSync(join(root, 'contracts', 'schema.json'), JSON.stringify(contractJsonSchema(), null, 2) + '\n');
writeFileSync(join(root, 'src', 'contracts', 'check.generated.ts'), generatedChecker());
console.log('wrote contracts/schema.json and src/contracts/check.generated.ts');
