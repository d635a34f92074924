/**
 * The one output rule (src/outputs.ts), command by command: every file the
 * command reads, a link (symbolic or hard) to one, a FIFO, a directory and
 * /dev/null are refused with one line and exit 2, and the target is unchanged;
 * a new file in a model folder is fine; a page microgpt wrote is replaced
 * without --force, any other existing file only with it.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { serialize } from '../../src/model/safetensors.js';
import { expectOneLineError, ROOT, runCli } from '../helpers/cli.js';
import { charTokenizerJson, hfConfig, hfTensors, tinyNative, writeHfModel } from '../helpers/hf-models.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-output-targets-'));
/** A runnable llama folder with a tokenizer_config.json beside tokenizer.json. */
const folder = join(dir, 'llama');
/** The same model in two shards with an index. */
const sharded = join(dir, 'sharded');
const SHARD = 'model-00002-of-00002.safetensors';
const INDEX = 'model.safetensors.index.json';
const ckpt = join(dir, 'm.safetensors');
const data = join(dir, 'names.txt');
const contracts = join(dir, 'contracts');
const fifo = join(dir, 'fifo.html');
const aDir = join(dir, 'a-directory');

beforeAll(async () => {
  const native = await tinyNative('llama');
  writeHfModel(folder, native, 'llama');
  writeFileSync(join(folder, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 16 }));
  mkdirSync(sharded);
  const tensors = hfTensors(native, 'llama');
  const half = Math.ceil(tensors.length / 2);
  const weightMap: Record<string, string> = {};
  [tensors.slice(0, half), tensors.slice(half)].forEach((part, s) => {
    const file = `model-0000${s + 1}-of-00002.safetensors`;
    writeFileSync(join(sharded, file), serialize(part, { format: 'pt' }));
    for (const t of part) weightMap[t.name] = file;
  });
  writeFileSync(join(sharded, INDEX), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  writeFileSync(join(sharded, 'config.json'), JSON.stringify(hfConfig(native, 'llama')));
  writeFileSync(join(sharded, 'tokenizer.json'), JSON.stringify(charTokenizerJson()));
  expect((await runCli(['train', '--steps', '3', '--out', ckpt])).code).toBe(0);
  writeFileSync(data, 'anna\nbob\ncarla\n');
  mkdirSync(contracts);
  const opt = JSON.parse(readFileSync(join(ROOT, 'contracts', 'opt.json'), 'utf8'));
  writeFileSync(
    join(contracts, 'mine.json'),
    JSON.stringify({ ...opt, $schema: undefined, family: 'mine', aliases: [], architectures: [], model_type: 'mine' }),
  );
  execFileSync('mkfifo', [fifo]);
  mkdirSync(aDir);
});

/** The bytes or kind of what `path` resolves to, links followed. */
function resolved(path: string): string {
  const st = statSync(path);
  if (st.isFile()) return readFileSync(path).toString('base64');
  return st.isFIFO() ? 'fifo' : st.isDirectory() ? 'directory' : st.isCharacterDevice() ? 'device' : 'other';
}

let links = 0;
/** A symbolic link to `target` in a fresh place outside the folder. */
function symlinkTo(target: string): string {
  const link = join(dir, `link-${++links}.html`);
  symlinkSync(target, link);
  return link;
}
/** A hard link to `target` in a fresh place outside the folder. */
function hardLinkTo(target: string): string {
  const link = join(dir, `hard-${++links}.html`);
  linkSync(target, link);
  return link;
}

/** Every input of a run, each as itself, through a symbolic link and through a hard link. */
const throughLinks = (inputs: string[]): Array<[string, () => string]> =>
  inputs.flatMap((p): Array<[string, () => string]> => [
    [p.slice(dir.length + 1), () => p],
    [`a symlink to ${p.slice(dir.length + 1)}`, () => symlinkTo(p)],
    [`a hard link to ${p.slice(dir.length + 1)}`, () => hardLinkTo(p)],
  ]);
const NOT_FILES: Array<[string, () => string, RegExp]> = [
  ['a FIFO', () => fifo, /MG040: .*not a regular file/],
  ['a directory', () => aDir, /MG040: .*is a directory/],
  ['/dev/null', () => '/dev/null', /MG040: \/dev\/null: is not a regular file/],
  ['a symlink to a FIFO', () => symlinkTo(fifo), /MG040: .*not a regular file/],
];

/** For each command that writes: how to run it with an output, and the files it reads. */
const COMMANDS: Array<{ name: string; run: (out: string) => string[]; inputs: () => string[] }> = [
  {
    name: 'explain --attention --model DIR --html',
    run: (out) => ['explain', '--attention', 'abc', '--model', folder, '--html', out],
    inputs: () =>
      ['model.safetensors', 'config.json', 'tokenizer.json', 'tokenizer_config.json'].map((f) => join(folder, f)),
  },
  {
    name: 'explain --attention --ids --model DIR --html (the tokenizer is not needed, and still an input)',
    run: (out) => ['explain', '--attention', '--ids', '1,2,3', '--model', folder, '--html', out],
    inputs: () =>
      ['model.safetensors', 'config.json', 'tokenizer.json', 'tokenizer_config.json'].map((f) => join(folder, f)),
  },
  {
    name: 'explain --attention on a sharded folder --html',
    run: (out) => ['explain', '--attention', '--ids', '1,2,3', '--model', sharded, '--html', out],
    inputs: () => [SHARD, INDEX, 'config.json', 'tokenizer.json'].map((f) => join(sharded, f)),
  },
  {
    name: 'explain --attention --model CHECKPOINT --html',
    run: (out) => ['explain', '--attention', 'mar', '--model', ckpt, '--html', out],
    inputs: () => [ckpt],
  },
  {
    name: 'explain --attention --family --contracts --html',
    run: (out) => ['explain', '--attention', 'mar', '--family', 'mine', '--contracts', contracts, '--html', out],
    inputs: () => [join(contracts, 'mine.json')],
  },
  {
    name: 'inspect CHECKPOINT --html',
    run: (out) => ['inspect', ckpt, '--html', out],
    inputs: () => [ckpt],
  },
  {
    name: 'train --out (with --force)',
    run: (out) => ['train', '--steps', '2', '--data', data, '--contracts', contracts, '--out', out, '--force'],
    inputs: () => [data, join(contracts, 'mine.json')],
  },
  {
    name: 'cache --model DIR --out (saved activations)',
    run: (out) => ['cache', '--ids', '1,2,3', '--model', folder, '--out', out],
    inputs: () =>
      ['model.safetensors', 'config.json', 'tokenizer.json', 'tokenizer_config.json'].map((f) => join(folder, f)),
  },
  {
    name: 'cache --model CHECKPOINT --out',
    run: (out) => ['cache', 'mar', '--model', ckpt, '--out', out],
    inputs: () => [ckpt],
  },
  {
    name: 'lab induction --html (reads nothing; an existing file needs --force)',
    run: (out) => ['lab', 'induction', '--steps', '2', '--every', '1', '--html', out],
    inputs: () => [],
  },
];

describe('no command writes onto a file it reads, through a link, or onto anything but a regular file', () => {
  for (const c of COMMANDS) {
    describe(c.name, () => {
      it('every input, each through a symlink and a hard link, with and without --force: MG044, exit 2, the input unchanged', async () => {
        for (const [what, target] of throughLinks(c.inputs())) {
          const out = target();
          const before = resolved(out);
          const args = c.run(out);
          const r = await runCli(args.includes('--force') ? args : [...args, '--force']);
          expectOneLineError(r, /MG044: .*is the same file as .*which this command reads/);
          expect(resolved(out), what).toBe(before);
          // Without --force: the same line (an input is named as one before "exists, pass --force" could mislead).
          expectOneLineError(
            await runCli(args.filter((a) => a !== '--force')),
            /MG044: .*is the same file as .*which this command reads/,
          );
          expect(resolved(out), what).toBe(before);
        }
      });
      it('a FIFO, a directory, /dev/null, a link to a FIFO: MG040, exit 2, unchanged', async () => {
        for (const [what, target, message] of NOT_FILES) {
          const out = target();
          const before = resolved(out);
          const r = await runCli(c.run(out));
          expectOneLineError(r, message);
          expect(resolved(out), what).toBe(before);
        }
      });
      it('a directory: the file suggested in it is of the kind the option writes', async () => {
        const html = c.run('x').includes('--html');
        expectOneLineError(
          await runCli(c.run(aDir)),
          html ? /MG040: .*is a directory; give a file name such as .*report\.html$/m : /\.safetensors$/m,
        );
      });
      it('an empty path (an unset shell variable): MG040 naming the option, nothing printed or written', async () => {
        const r = await runCli(c.run(''));
        expectOneLineError(r, /MG040: --(out|html) "" names no file; give a file name/);
      });
    });
  }
  it('the lab: a symlink to a checkpoint is an existing file, replaced only with --force (issue 19)', async () => {
    const link = symlinkTo(ckpt);
    const before = resolved(link);
    expectOneLineError(
      await runCli(['lab', 'induction', '--steps', '2', '--every', '1', '--html', link]),
      /MG045: .*already exists and is not a page microgpt wrote; pass --force/,
    );
    expect(resolved(link)).toBe(before);
  });
});

describe('refused before the long work, not after it', () => {
  it('explain: a model file of the folder is known before the weights load (a broken weights file is never read)', async () => {
    const broken = join(dir, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'config.json'), readFileSync(join(folder, 'config.json')));
    writeFileSync(join(broken, 'tokenizer_config.json'), '{}');
    writeFileSync(join(broken, 'model.safetensors'), 'not safetensors');
    const out = join(broken, 'tokenizer_config.json');
    const r = await runCli(['explain', '--attention', '--ids', '1,2', '--model', broken, '--html', out, '--force']);
    expectOneLineError(r, /MG044: .*tokenizer_config\.json: is the same file as .*which this command reads/);
    expect(readFileSync(out, 'utf8')).toBe('{}');
  });
  it('train: a contract as --out is refused once the contracts are read, before ten million steps', async () => {
    const out = join(contracts, 'mine.json');
    const before = readFileSync(out);
    const r = await runCli(['train', '--steps', '10000000', '--contracts', contracts, '--out', out, '--force']);
    expectOneLineError(r, /MG044: .*mine\.json: is the same file as .*mine\.json, which this command reads/);
    expect(readFileSync(out).equals(before)).toBe(true);
  });
});

describe('what is allowed', () => {
  it('a new file inside the model folder', async () => {
    const out = join(folder, 'attention.html');
    const r = await runCli(['explain', '--attention', '--ids', '1,2,3', '--model', folder, '--html', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('<meta name="generator" content="microgpt">');
    rmSync(out);
  });
  it('re-running a command over its own page, without --force (explain, inspect, lab)', async () => {
    for (const run of [
      (out: string) => ['explain', '--attention', 'abc', '--model', folder, '--html', out],
      (out: string) => ['inspect', ckpt, '--html', out],
      (out: string) => ['lab', 'induction', '--steps', '2', '--every', '1', '--html', out],
    ]) {
      const out = join(dir, `same-${++links}.html`);
      expect((await runCli(run(out))).code).toBe(0);
      writeFileSync(out, readFileSync(out, 'utf8').replace('</body>', '<p>old</p></body>'));
      const again = await runCli(run(out));
      expect(again.code, again.stderr).toBe(0);
      expect(readFileSync(out, 'utf8')).not.toContain('<p>old</p>');
    }
  });
  it('an HTML file microgpt did not write needs --force, for every command that writes HTML', async () => {
    for (const run of [
      (out: string) => ['explain', '--attention', 'mar', '--html', out],
      (out: string) => ['inspect', '--html', out],
      (out: string) => ['lab', 'induction', '--steps', '2', '--every', '1', '--html', out],
    ]) {
      const out = join(dir, `theirs-${++links}.html`);
      const theirs = '<!doctype html><html><head><title>my notes</title></head><body>mine</body></html>';
      writeFileSync(out, theirs);
      expectOneLineError(
        await runCli(run(out)),
        /MG045: .*already exists and is not a page microgpt wrote; pass --force to replace it, or give another --html/,
      );
      expect(readFileSync(out, 'utf8')).toBe(theirs);
      const forced = await runCli([...run(out), '--force']);
      expect(forced.code, forced.stderr).toBe(0);
      expect(readFileSync(out, 'utf8')).toContain('<meta name="generator" content="microgpt">');
    }
  });
  it('--force without --html is refused by name', async () => {
    expectOneLineError(await runCli(['explain', '--attention', 'mar', '--force']), /MG001: --force goes with --html/);
    expectOneLineError(await runCli(['inspect', '--force']), /MG001: --force goes with --html/);
  });
  it('a dangling symlink is written through to where it points (a new file)', async () => {
    const where = join(dir, `new-${++links}.html`);
    const link = symlinkTo(where);
    expect(existsSync(where)).toBe(false);
    const r = await runCli(['explain', '--attention', 'mar', '--html', link]);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(where, 'utf8')).toContain('<meta name="generator" content="microgpt">');
  });
});

describe('one ledger per run: an input of one command is not an input of the next', () => {
  it('after reading the folder, another command may write a new file that a previous run had read', async () => {
    const scratch = join(dir, 'scratch.html');
    writeFileSync(scratch, 'anna\nbob\n');
    expect((await runCli(['eval', '--data', scratch])).code).toBe(0);
    // The next run did not read it: it is only an existing file (needs --force), not an input.
    expectOneLineError(await runCli(['explain', '--attention', 'mar', '--html', scratch]), /MG045: /);
    expect((await runCli(['explain', '--attention', 'mar', '--html', scratch, '--force'])).code).toBe(0);
  });
});
