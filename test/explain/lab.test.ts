import { describe, expect, it } from 'vitest';
import { runLab } from '../../src/explain/lab.js';
import { LAB_DEFAULTS } from '../../src/model/lab.js';

// A reduced run (400 steps); the full lab is `microgpt lab induction` and the bench, never a timed test.
describe('the induction lab', () => {
  it('two layers: the repeated copy is learned, a layer-0 previous-token head and a layer-1 induction head form, and they compose', () => {
    const r = runLab({ ...LAB_DEFAULTS, seed: 42 }, { steps: 400, every: 20 });
    expect(r.learned).toBe(true);
    expect(r.phase!.step).toBeLessThanOrEqual(400);
    const last = r.points.at(-1)!;
    expect(last.repeatedHalf).toBeLessThan(r.threshold);
    // The first copy is random: it stays near ln V.
    expect(last.firstHalf).toBeGreaterThan(0.8 * r.uniformLoss);
    expect(r.final.previousLayer).toBe(0);
    expect(r.final.inductionLayer).toBe(1);
    expect(r.final.previous[0]).toBeGreaterThan(0.5);
    expect(r.final.induction[1]).toBeGreaterThan(0.3);
    // Knocking out layer 0's head destroys the induction score and the repeated copy's advantage.
    expect(r.composition[0]).toMatchObject({ knockedOut: 0, destroys: true });
    expect(r.composition[0]!.repeatedHalf).toBeGreaterThan(r.threshold);

    // The held-out sequence's patterns: layer 0 looks one back; layer 1, in the second copy, looks at the
    // token after the earlier copy of the current one (k − 1 back) — until layer 0 is knocked out.
    const { k, ids, attention, knockedOut } = r.heldOut;
    expect(ids).toHaveLength(2 * k + 1);
    expect(ids[0]).toBe(r.heldOut.bos);
    expect(ids.slice(1, k + 1)).toEqual(ids.slice(k + 1));
    for (const a of [...attention, ...knockedOut.flatMap((x) => x.attention)]) {
      expect(a).toHaveLength(ids.length);
      a.forEach((row, q) => {
        expect(row.slice(q + 1).every((w) => w === 0)).toBe(true);
        expect(Math.abs(row.reduce((x, y) => x + y, 0) - 1)).toBeLessThan(1e-12);
      });
    }
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
    const back = (a: number[][], rows: number[], d: number) => mean(rows.map((q) => a[q]![q - d]!));
    expect(back(attention[0]!, range(1, ids.length), 1)).toBeGreaterThan(0.5);
    const secondCopy = range(k + 1, 2 * k + 1);
    expect(back(attention[1]!, secondCopy, k - 1)).toBeGreaterThan(0.3);
    expect(knockedOut.map((x) => x.layer)).toEqual([0]);
    expect(back(knockedOut[0]!.attention[1]!, secondCopy, k - 1)).toBeLessThan(
      0.5 * back(attention[1]!, secondCopy, k - 1),
    );
  }, 120_000);

  it('the 1-layer control never gets there; the same seed gives the same run', () => {
    const control = runLab({ ...LAB_DEFAULTS, layers: 1, seed: 42 }, { steps: 300, every: 50 });
    expect(control.learned).toBe(false);
    expect(control.points.every((p) => p.repeatedHalf > control.threshold)).toBe(true);
    const again = runLab({ ...LAB_DEFAULTS, layers: 1, seed: 42 }, { steps: 300, every: 50 });
    expect(again.points).toEqual(control.points);
  }, 120_000);
});
