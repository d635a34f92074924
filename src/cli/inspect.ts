import { MicrogptError } from '../errors.js';
import type { OutputOptions } from './output.js';
import { safe } from '../render/style.js';

interface InspectOptions extends OutputOptions {
  model?: string;
  seed: number;
  family?: string;
  contracts?: string[];
  html?: string;
  force?: boolean;
  metadata?: boolean;
  verbose?: boolean;
}

/**
 * `inspect [PATH]`: a model file or folder is read from its headers (no model
 * code is loaded for it); a microgpt checkpoint, or no path at all, goes to the
 * model itself with every tensor's statistics.
 */
export async function runInspect(path: string | undefined, opts: InspectOptions): Promise<number> {
  if (path !== undefined && opts.model !== undefined)
    throw new MicrogptError('MG001', 'give the model as PATH or as --model, not both');
  const target = path ?? opts.model;
  if (target !== undefined && !(await (await import('./engine.js')).isMicrogptCheckpoint(target))) {
    const { runInspectFile } = await import('./files.js');
    return runInspectFile(target, opts);
  }
  if (opts.metadata || opts.verbose)
    throw new MicrogptError(
      'MG001',
      '--metadata and -v are for model files (safetensors, GGUF, folders); a microgpt checkpoint always lists every tensor',
    );
  return inspectModel({ ...opts, model: target });
}

async function inspectModel(opts: InspectOptions): Promise<number> {
  if (opts.force && opts.html === undefined)
    throw new MicrogptError('MG001', '--force goes with --html (it lets an existing file be replaced)');
  const output = {
    path: opts.html ?? '',
    flag: '--html',
    force: opts.force === true,
    html: true,
    inputs: opts.model !== undefined ? [{ path: opts.model, flag: '--model' }] : [],
  };
  const [
    { ContractSet },
    { buildInspectReport },
    { renderInspectReport },
    { renderJson },
    { extraContractDirs },
    { openTaped },
    { show },
  ] = await Promise.all([
    import('../contracts/index.js'),
    import('../explain/inspect.js'),
    import('../render/inspect.js'),
    import('../render/json.js'),
    import('./dirs.js'),
    import('./engine.js'),
    import('./output.js'),
  ]);
  const engine = await openTaped(opts);
  const contracts = await ContractSet.load(extraContractDirs(opts.contracts));
  // Checked once the checkpoint and contracts are read, so an input is named as one (MG044).
  if (opts.html !== undefined) (await import('../outputs.js')).checkOutput(output);
  const report = buildInspectReport(engine, contracts.get(engine.info.family));
  if (opts.html !== undefined) {
    const [{ renderInspectHtml }, { writeOutput }] = await Promise.all([
      import('../render/html.js'),
      import('../outputs.js'),
    ]);
    const values = new Map([...engine.model.params].map(([name, t]) => [name, Array.from(t.data)]));
    writeOutput(output, renderInspectHtml(report, values));
    process.stderr.write(`wrote ${safe(opts.html)}\n`);
  }
  show(
    opts,
    () => renderJson('inspect', { model: opts.model ?? null, seed: opts.seed }, report),
    (style) => renderInspectReport(report, style),
  );
  return 0;
}
