/** explain --tensor: one tensor's role, shape and formula (attn_mask: the causal mask), by any family's names. */
import { buildTensorReport } from '../../../explain/tensor.js';
import { kernel } from '../../../kernels/index.js';
import { renderJson } from '../../../render/json.js';
import { renderTensorReport } from '../../../render/tensor.js';
import { loadContracts } from '../../dirs.js';
import { isRealModel, openTaped, refuseMissingModel } from '../../engine.js';
import { MicrogptError } from '../../../errors.js';
import { show } from '../../output.js';
import type { ExplainOptions } from './types.js';

export async function explainTensor(name: string, opts: ExplainOptions): Promise<number> {
  const contracts = await loadContracts(opts.contracts);
  if (opts.model !== undefined) await refuseModelFolder(opts.model);
  const src = opts.model !== undefined ? await openTaped(opts) : null;
  const family = opts.family ?? src?.info.family;
  const contract = family !== undefined ? contracts.get(family) : undefined;
  // The model's own parameter names (layer0.attn_wk …) are explained with its real shapes: the
  // checkpoint's, or a tiny model of the family (explain-only families have none).
  const runnable = contract !== undefined && kernel('attention_type', contract.constraints.attention_type).executable;
  const model = src ?? (runnable ? await openTaped({ ...opts, family }) : null);
  const report = buildTensorReport(
    contracts.families.map((f) => f.contract),
    name,
    {
      family: contract,
      maskLen: opts.len,
      model: model
        ? {
            family: model.info.family,
            model: model.model,
            weightsFrom: src ? src.info.weightsFrom : `tiny ${model.info.family} model at initialization`,
          }
        : undefined,
    },
  );
  const inputs = { tensor: name, family: family ?? null, len: opts.len, model: opts.model ?? null };
  show(
    opts,
    () => renderJson('explain --tensor', inputs, report),
    (style) => renderTensorReport(report, style),
  );
  // A weight holding NaN or infinity is a ✗ line: a failed check, as in inspect.
  return report.values && report.values.stats.nan + report.values.stats.inf > 0 ? 1 : 0;
}

/** --tensor explains microGPT-format names with a checkpoint's shapes; a model folder's tensors are inspect's job. */
async function refuseModelFolder(path: string): Promise<void> {
  await refuseMissingModel(path, 'a checkpoint written by microgpt train');
  if (await isRealModel(path))
    throw new MicrogptError(
      'MG001',
      `${path}: --tensor --model takes a checkpoint written by microgpt train, not a model folder or its files; microgpt inspect ${path} lists its tensors with their roles and shapes, and explain --tensor NAME --family FAMILY explains a role by that family's names`,
    );
}
