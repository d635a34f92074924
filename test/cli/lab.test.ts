import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { expectOneLineError, ROOT, runCli } from '../helpers/cli.js';

describe('microgpt lab induction', () => {
  it('--json validates; the text shows the chart, the scores and what happened; the control says why it fails', async () => {
    const doc = JSON.parse((await runCli(['lab', 'induction', '--steps', '60', '--every', '20', '--json'])).stdout);
    const v = new Ajv({ allErrors: true, strict: false }).compile(
      JSON.parse(readFileSync(join(ROOT, 'schemas', 'lab.schema.json'), 'utf8')),
    );
    expect(v(doc), JSON.stringify(v.errors)).toBe(true);
    expect(doc.points.map((p: { step: number }) => p.step)).toEqual([20, 40, 60]);
    const control = await runCli(['lab', 'induction', '--n-layer', '1', '--steps', '60', '--every', '20']);
    expect(control.code).toBe(0);
    expect(control.stdout).toContain('No phase change in 60 steps');
    expect(control.stdout).toContain('a 1-layer model cannot learn induction');
    expect(control.stdout).toMatch(/L0 prev/);
  });

  it('an unknown lab or a bad size is one line', async () => {
    expectOneLineError(await runCli(['lab', 'copying']), /MG017: unknown lab "copying"; labs: induction/);
    expectOneLineError(await runCli(['lab', 'induction', '--n-layer', '9']), /--n-layer/);
  });
});
