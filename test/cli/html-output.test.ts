import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

// --html writes the report as a page: no text report follows on stdout, one stderr line names the
// file; --json with --html prints the JSON as well.
describe('--html prints no text report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'microgpt-html-out-'));
  const cases: Array<[string, (file: string) => string[]]> = [
    ['explain --attention', (f) => ['explain', '--attention', 'mar', '--html', f]],
    ['inspect', (f) => ['inspect', '--html', f]],
    ['lab induction', (f) => ['lab', 'induction', '--steps', '20', '--every', '10', '--html', f]],
  ];
  for (const [what, args] of cases) {
    it(what, async () => {
      const file = join(dir, `${what.replace(/\W+/g, '-')}.html`);
      const r = await runCli(args(file));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`wrote ${file}\n`);
      expect(existsSync(file)).toBe(true);
      const json = await runCli([...args(join(dir, `j-${what.replace(/\W+/g, '-')}.html`)), '--json']);
      expect(JSON.parse(json.stdout).schemaVersion).toBe(1);
    });
  }
});
