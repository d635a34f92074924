import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabReport } from '../../src/explain/lab.js';
import { runCli } from '../helpers/cli.js';
import { available, EXTERNAL, launch, open, screenshot } from './browser.js';

describe.skipIf(!available)('lab induction --html in a real browser', () => {
  const dir = mkdtempSync(join(tmpdir(), 'microgpt-lab-'));
  const file = join(dir, 'lab.html');
  let browser: Browser;
  let report: LabReport;

  beforeAll(async () => {
    // --json with --html: the page is written and the JSON printed (the same run, so the same numbers).
    const r = await runCli(['lab', 'induction', '--steps', '400', '--every', '20', '--json', '--html', file]);
    expect(r.code, r.stderr).toBe(0);
    report = JSON.parse(r.stdout) as LabReport;
    expect(report.learned).toBe(true);
    browser = await launch();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('is a page, not pasted terminal text; within its budget; self-contained', () => {
    const html = readFileSync(file, 'utf8');
    expect(statSync(file).size).toBeLessThanOrEqual(200_000);
    expect(html).not.toMatch(EXTERNAL);
    expect(html).not.toMatch(/<pre|[┌│└─]|Point at a cell to read/);
  });

  it('charts the losses and the head scores on a step axis; hover reads a step', async () => {
    const o = await open(browser, file);
    const { page } = o;
    expect(o.errors).toEqual([]);
    const charts = page.locator('svg[data-chart]');
    expect(await charts.count()).toBe(2);
    expect(await charts.nth(0).locator('polyline').count()).toBe(2);
    expect(await charts.nth(1).locator('polyline').count()).toBe(2 * report.config.layers);
    const loss = (await charts.nth(0).textContent())!;
    expect(loss).toContain(`phase change, step ${report.phase!.step}`);
    expect(loss).toMatch(/step/);
    for (const tick of ['0', '100', '200', '300', '400']) expect(loss).toContain(tick);
    // The pointer at the middle of the plot reads one evaluation point, both losses to 3 decimals.
    const box = (await charts.nth(0).boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const m = /^step (\d+): first copy \(random\) (\d\.\d{3}) · repeated copy (\d\.\d{3})$/.exec(
      (await page.locator('#hover').textContent())!,
    );
    expect(m).not.toBeNull();
    const point = report.points.find((p) => p.step === Number(m![1]))!;
    expect([m![2], m![3]]).toEqual([point.firstHalf.toFixed(3), point.repeatedHalf.toFixed(3)]);
    await screenshot(o, file, 'lab-induction');
  });

  it("draws both heads' patterns on the held-out sequence and the knockout; hover reads the exact weight", async () => {
    const o = await open(browser, file);
    const { page } = o;
    const maps = page.locator('table[data-heatmap]');
    // layer 0 and layer 1 trained; layer 1 trained again beside layer 1 with layer 0 knocked out.
    expect(await maps.count()).toBe(4);
    const { k, attention, knockedOut } = report.heldOut;
    // Layer 1's row at the second copy's third token (position k + 3), its induction target k − 1 back.
    const q = k + 3;
    const cell = page
      .locator('table[data-heatmap="layer 1"] tr')
      .nth(q + 1)
      .locator('td')
      .nth(q - (k - 1));
    await cell.hover();
    const hover = (await page.locator('#hover').textContent())!;
    expect(hover).toMatch(new RegExp(`^layer 1: \\d+ \\(pos ${q}\\) → \\d+ \\(pos ${q - k + 1}\\) = `));
    expect(Number(hover.split(' = ')[1])).toBe(attention[1]![q]![q - k + 1]);
    const knocked = page
      .locator('table[data-heatmap="layer 1, layer 0 knocked out"] tr')
      .nth(q + 1)
      .locator('td');
    await knocked.nth(q - (k - 1)).hover();
    expect(Number((await page.locator('#hover').textContent())!.split(' = ')[1])).toBe(
      knockedOut[0]!.attention[1]![q]![q - k + 1],
    );
    const text = await page.locator('body').innerText();
    expect(text).toMatch(/composes with the layer-0 previous-token head/);
    expect(text).toMatch(/the induction head/);
    await page.locator('h2', { hasText: 'What the heads attend to' }).scrollIntoViewIfNeeded();
    await screenshot(o, file, 'lab-induction-patterns');
  });
});
