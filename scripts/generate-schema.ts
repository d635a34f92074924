// Generates, from the one schema in src/contracts/schema.ts:
//   contracts/schema.json               — for editors ($schema in every contract)
//   src/contracts/check.generated.ts    — a compiled validator, so loading contracts
//                                         does not pay for TypeBox at start-up
//   schemas/*.schema.json               — the JSON formats of every command's --json
// `npm run schema` writes them; test/contracts/schema.test.ts fails when they are stale.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { generatedChecker, contractJsonSchema } from '../src/contracts/schema.js';
import { outputSchemaFiles } from '../src/cli/documents.js';
import { packageRoot } from '../src/paths.js';

const root = packageRoot();
writeFileSync(join(root, 'contracts', 'schema.json'), JSON.stringify(contractJsonSchema(), null, 2) + '\n');
writeFileSync(join(root, 'src', 'contracts', 'check.generated.ts'), generatedChecker());
mkdirSync(join(root, 'schemas'), { recursive: true });
for (const [name, text] of Object.entries(outputSchemaFiles())) writeFileSync(join(root, 'schemas', name), text);
console.log('wrote contracts/schema.json, src/contracts/check.generated.ts and schemas/*.schema.json');
