import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { outputSchemaFiles } from '../../src/cli/documents.js';
import { ROOT, runCli } from '../helpers/cli.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const schema = (name: string) => JSON.parse(readFileSync(join(ROOT, 'schemas', `${name}.schema.json`), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'microgpt-json-'));
const model = join(dir, 'm.safetensors');

/** Runs a command with --json: stdout must be exactly one JSON document that validates against the shipped schema. */
async function check(name: string, args: string[]): Promise<Record<string, unknown>> {
  const r = await runCli([...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout);
  const validate = ajv.compile(schema(name));
  expect(validate(doc), JSON.stringify(validate.errors, null, 1)).toBe(true);
  expect(doc.schemaVersion).toBe(1);
  return doc;
}

describe('the shipped JSON Schemas', () => {
  it('are what the code generates (run `npm run schema` after changing a report)', () => {
    for (const [file, text] of Object.entries(outputSchemaFiles()))
      expect(readFileSync(join(ROOT, 'schemas', file), 'utf8'), file).toBe(text);
  });
});

describe("every command's --json output validates against its schema", () => {
  beforeAll(async () => {
    expect((await runCli(['train', '--steps', '30', '--out', model, '--json'])).code).toBe(0);
  });
  const cases: Array<[string, string[]]> = [
    ['explain-attention', ['explain', '--attention', 'mar']],
    ['explain-attention', ['explain', '--attention', 'emma', '--model', model, '--heads', '1,3']],
    ['explain-tensor', ['explain', '--tensor', 'attn_mask', '--len', '5']],
    ['explain-tensor', ['explain', '--tensor', 'wte', '--model', model]],
    ['explain-tensor', ['explain', '--tensor', 'model.embed_positions.weight']],
    ['explain-kernel', ['explain', '--kernel', 'llama', '-v']],
    ['explain-kernel', ['explain', '--kernel', join(ROOT, 'test', 'fixtures', 'hf', 'qwen2-0.5b.json'), '-v']],
    ['explain-kernel-vs', ['explain', '--kernel', 'gpt2', '--vs', 'opt']],
    ['train', ['train', '--steps', '10', '--no-out']],
    ['eval', ['eval', '--model', model]],
    ['sample', ['sample', '--model', model, '-n', '2', '--explain']],
    ['inspect', ['inspect', '--model', model]],
    ['trace', ['trace', 'emma', '--model', model]],
    ['contracts-list', ['contracts', 'list']],
    ['contracts-validate', ['contracts', 'validate']],
    ['example', ['example']],
    ['explain-errors', ['explain', '--errors']],
    ['explain-errors', ['explain', 'MG012']],
    ['example', ['example', 'explain_attention']],
  ];
  for (const [name, args] of cases)
    it(`${args.join(' ')} → schemas/${name}.schema.json`, async () => void (await check(name, args)));

  it('the full-precision numbers are there: attention weights are not rounded', async () => {
    const doc = (await check('explain-attention', ['explain', '--attention', 'mar'])) as any;
    const w = doc.layers[0].heads[0].rows[1].weights[0];
    expect(String(w).length).toBeGreaterThan(8);
  });
});
