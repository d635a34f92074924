/**
 * Which pages are checked, and how their commands run: in this process
 * (the built CLI's own entry point, as the CLI tests run it), at 80 columns,
 * with colour off and stdout and stderr not terminals, so progress bars and
 * terminal widths never reach a page.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli } from '../../test/helpers/cli.js';
import { computeFacts } from './facts.js';
import { FixtureStore, type Runner } from './fixtures.js';
import type { PageContext } from './run.js';

/** README.md and every page in docs/, repository-relative. */
export function pages(): string[] {
  const docs = existsSync(join(ROOT, 'docs')) ? readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')) : [];
  return ['README.md', ...docs.sort().map((f) => `docs/${f}`)];
}

/** The environment every page's commands see. */
export const DOCS_ENV = { COLUMNS: '80', NO_COLOR: '1' };

const inProcess: Runner = async (argv, cwd) => {
  const streams = [process.stdout, process.stderr];
  const wasTty = streams.map((s) => s.isTTY);
  for (const s of streams) s.isTTY = false;
  try {
    return await runCli([...argv], DOCS_ENV, cwd);
  } finally {
    streams.forEach((s, i) => (s.isTTY = wasTty[i]!));
  }
};

export async function openDocs(run: Runner = inProcess): Promise<PageContext & { dispose(): void }> {
  const fixtures = new FixtureStore(run);
  return { run, fixtures, facts: await computeFacts(), dispose: () => fixtures.dispose() };
}
