/**
 * The finiteness check every hook point passes: a NaN or an infinity anywhere
 * in an activation (any length, any place, float32 or float64) stops the run
 * with the position where the first one is; finite values pass; masked
 * scores may be −Infinity, nothing else may.
 */
import { describe, expect, it } from 'vitest';
import { HookSite } from '../../src/engine/site.js';
import { MicrogptError } from '../../src/errors.js';

const site = new HookSite([], 'the model');

/** What emitting `values` as [n / 2…] rows of 2 throws, or null. */
function failure(name: string, values: Float32Array | Float64Array): string | null {
  try {
    site.emit(name, values, [Math.ceil(values.length / 2), 2]);
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(MicrogptError);
    return (e as Error).message;
  }
}

describe('hook points are checked for non-finite values', () => {
  it('every length and place: the first non-finite value is named by its position', () => {
    for (const Kind of [Float32Array, Float64Array])
      for (let n = 1; n <= 11; n++) {
        expect(failure('blocks.0.hook_resid_post', new Kind(n).fill(0.25))).toBeNull();
        for (let at = 0; at < n; at++)
          for (const bad of [NaN, Infinity, -Infinity]) {
            const v = new Kind(n).fill(-3.5);
            v[at] = bad;
            if (at + 1 < n) v[n - 1] = NaN; // a later one too: the first is named
            const said = Number.isNaN(bad) ? 'an? NaN' : 'an? infinite value';
            expect(failure('blocks.0.hook_resid_post', v), `${Kind.name} n=${n} at=${at} ${bad}`).toMatch(
              new RegExp(
                `^${said} appeared at layer 0, blocks\\.0\\.hook_resid_post \\(position ${Math.floor(at / 2)}\\)`,
              ),
            );
          }
      }
  });

  it('the largest and smallest finite values, subnormals and both zeros pass', () => {
    const edge = [3.4028234663852886e38, -3.4028234663852886e38, 1.401298464324817e-45, -1.401298464324817e-45, 0, -0];
    expect(failure('blocks.0.hook_resid_post', Float32Array.from(edge))).toBeNull();
    expect(failure('blocks.0.hook_resid_post', Float64Array.from([...edge, Number.MAX_VALUE, 5e-324]))).toBeNull();
  });

  it('masked scores may be −Infinity; +Infinity or NaN there still stop the run', () => {
    const scores = new Float64Array([0.5, -Infinity, 0.25, 0.75]);
    expect(failure('blocks.1.attn.hook_attn_scores', scores)).toBeNull();
    scores[2] = Infinity;
    expect(failure('blocks.1.attn.hook_attn_scores', scores)).toMatch(/infinite value appeared at layer 1/);
    expect(failure('blocks.1.hook_resid_pre', new Float64Array([0, -Infinity]))).toMatch(/infinite value/);
  });
});
