import { describe, expect, it } from 'vitest';
import { expectOneLineError, runCli } from '../helpers/cli.js';
import { expectRowOf, printedMatrices } from '../helpers/screens.js';

describe('microgpt explain --attention', () => {
  it('prints the architecture, the tokens, every head and the invariants, exit 0', async () => {
    const r = await runCli(['explain', '--attention', 'mar']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const line of [
      'Attention type:     MHA (multi-head attention)',
      'Total attn dim:     16 (4 × 4)',
      'Scale factor:       1/√4 = 0.5000',
      'tokens [BOS, m, a, r], ids [26, 12, 0, 17]',
      'Row = query position, column = key position.',
      '          BOS     m     a     r',
      '  0 BOS 1.000 0.000 0.000 0.000   ← BOS attends only to itself',
    ]) {
      expect(r.stdout).toContain(line);
    }
    expect(r.stdout.match(/^Head \d:$/gm)).toEqual(['Head 0:', 'Head 1:', 'Head 2:', 'Head 3:']);
    expect(r.stdout.match(/✓/g)).toHaveLength(3);
  });

  it('prints the same bytes every time for the same seed, and different weights for another seed', async () => {
    const a = (await runCli(['explain', '--attention', 'emma'])).stdout;
    expect((await runCli(['explain', '--attention', 'emma'])).stdout).toBe(a);
    expect((await runCli(['explain', '--attention', 'emma', '--seed', '7'])).stdout).not.toBe(a);
  });

  it('--json carries full-precision weights and the invariant results', async () => {
    const r = await runCli(['explain', '--attention', 'mar', '--json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.command).toBe('explain --attention');
    expect(doc.layers[0].heads).toHaveLength(4);
    const row = doc.layers[0].heads[0].rows[1].weights;
    expect(row[0] + row[1]).toBeCloseTo(1, 14);
    expect(doc.invariants.map((i: { holds: boolean }) => i.holds)).toEqual([true, true, true]);
  });

  it('the invariant report: row 0 and the upper triangle exactly, row sums to 1e-12, each checked and held', async () => {
    const doc = JSON.parse((await runCli(['explain', '--attention', 'mar', '--json'])).stdout);
    const by = new Map(doc.invariants.map((i: { id: string }) => [i.id, i]));
    expect([...by.keys()]).toEqual(['row0', 'upper', 'rowsum']);
    expect(by.get('row0')).toMatchObject({ holds: true, tolerance: 0, statement: 'Row 0 is always [1, 0, 0, 0]' });
    expect(by.get('upper')).toMatchObject({ holds: true, tolerance: 0 });
    expect(by.get('rowsum')).toMatchObject({ holds: true, tolerance: 1e-12 });
    // The worst deviation reported is the real one, recomputed here from the weights.
    const worst = Math.max(
      ...doc.layers[0].heads.flatMap((h: { rows: Array<{ weights: number[] }> }) =>
        h.rows.map((r) => Math.abs(r.weights.reduce((a, b) => a + b, 0) - 1)),
      ),
    );
    expect((by.get('rowsum') as { worst: { deviation: number } }).worst.deviation).toBe(worst);
  });
});

describe('microgpt explain --tensor and --kernel', () => {
  it('explain --tensor attn_mask: the mask as each path applies it, read from running both', async () => {
    const json = await runCli(['explain', '--tensor', 'attn_mask', '--len', '5', '--json']);
    const m = JSON.parse(json.stdout).mask;
    expect(m.runs).toBe('fused');
    for (let i = 0; i < 5; i++)
      for (let j = 0; j < 5; j++) {
        expect(m.fused.grid[i][j]).toBe(j > i ? 'skipped' : 'attends');
        expect(m.reference.grid[i][j]).toBe(j > i ? -1e9 : 0);
      }
    expect(m.facts).toEqual({ expOfMaskF64: 0, expOfMaskF32: 0, fullyMaskedWithInfinity: null });
    const r = await runCli(['explain', '--tensor', 'attn_mask']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('The fused attention kernel (the one the model runs) never scores a future position');
    expect(r.stdout).toContain('pos 1: [scored, scored, masked, masked]');
    expect(r.stdout).toContain('pos 1: [   0,    0, -1e9, -1e9]');
    expect(r.stdout).toContain('exp(-1e9) = 0 in f64 and 0 in f32');
    expect(r.stdout).toContain('exp(−∞ − (−∞)) = NaN');
    expect(r.stdout).not.toMatch(/-∞\s*[,\]]/);
  });

  it('--len sets the mask size (both grids)', async () => {
    const r = await runCli(['explain', '--tensor', 'attn_mask', '--len', '6']);
    expect(r.stdout.match(/pos \d: \[/g)).toHaveLength(12);
  });

  it("a mask too wide for the chapter's rows becomes a matrix of whole rows at 80 columns", async () => {
    const r = await runCli(['explain', '--tensor', 'attn_mask', '--len', '16'], { COLUMNS: '80' });
    const rows = r.stdout.split('\n').filter((l) => /^ {4}pos +\d+: /.test(l));
    expect(rows).toHaveLength(32);
    rows.forEach((l, k) => {
      const i = k % 16;
      const cells = l
        .replace(/^ {4}pos +\d+: /, '')
        .trim()
        .split(/\s+/);
      const gap = cells.indexOf('…');
      const shown =
        gap < 0
          ? [...cells.keys()]
          : [...cells.keys()].filter((j) => j !== gap).map((j) => (j < gap ? j : 16 - (cells.length - j)));
      const expected = shown.map((j) => (k < 16 ? (j > i ? 'masked' : 'scored') : j > i ? '-1e9' : '0'));
      expect(cells.filter((c) => c !== '…')).toEqual(expected);
    });
  });

  it('explains a stored microGPT tensor with its shape and formula', async () => {
    const r = await runCli(['explain', '--tensor', 'layer0.attn_wq']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Shape:       [16, 16]');
    expect(r.stdout).toContain('Q = h · W_qᵀ');
  });

  it("explain --kernel llama -v: the chapter's constraint block, line for line", async () => {
    const r = await runCli(['explain', '--kernel', 'llama', '-v']);
    expect(r.code).toBe(0);
    const block = [
      'Constraints (from family contract):',
      '  attention_type:      gqa          ← microGPT uses mha (simpler)',
      '  activation:          silu         ← microGPT uses relu (simpler)',
      '  norm_type:           rmsnorm      ← same as microGPT ✓',
      '  mlp_type:            swiglu       ← microGPT uses relu_mlp (simpler)',
      '  positional_encoding: rope         ← microGPT uses learned (simpler)',
      '  has_bias:            false        ← same as microGPT ✓',
    ].join('\n');
    expect(r.stdout).toContain(block);
  });

  it("explain --kernel gpt2 -v: learned positions are the same as microGPT's; parameters add up", async () => {
    const r = await runCli(['explain', '--kernel', 'gpt2', '-v']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  positional_encoding: learned      ← same as microGPT ✓');
    expect(r.stdout).toContain('  attention_type:      mha          ← same as microGPT ✓');
    expect(r.stdout).toContain('Parameters computed from these shapes: 124,439,808; declared: 124,439,808');
  });
});

describe('microgpt example', () => {
  it('lists the examples', async () => {
    const r = await runCli(['example']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('explain_attention');
  });

  it('example explain_attention: the chapter in order, every number from the model it runs', async () => {
    const r = await runCli(['example', 'explain_attention']);
    expect(r.code).toBe(0);
    const order = [
      'Attention mechanics',
      'Attention weight visualization',
      'Structural invariants',
      'Causal mask explained',
      'Comparison with production models',
    ];
    const at = order.map((h) => r.stdout.indexOf(h));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const doc = JSON.parse((await runCli(['example', 'explain_attention', '--json'])).stdout);
    const attention = doc.sections[0].reports[0];
    // Every weight row printed is the model's own row, at three decimals, under the tokens' column headers.
    const printed = printedMatrices(r.stdout);
    expect([...printed.keys()]).toEqual(['Head 0', 'Head 1', 'Head 2', 'Head 3']);
    for (const head of attention.layers[0].heads) {
      const rows = printed.get(`Head ${head.head}`)!;
      expect(rows.map((x) => x.pos)).toEqual([0, 1, 2, 3]);
      expect(rows.map((x) => x.token)).toEqual(['BOS', 'm', 'a', 'r']);
      for (const row of head.rows) {
        expect(rows[row.pos]!.cells).not.toContain('…');
        expectRowOf(rows[row.pos]!, row.weights);
        expect(rows[row.pos]!.note).toBe(row.note);
      }
    }
    expect(r.stdout.match(/^ {10}BOS {5}m {5}a {5}r$/gm)).toHaveLength(4);
    expect(r.stdout).toContain(attention.equation);
    expect(r.stdout).toContain(`microGPT uses d_k=${attention.architecture.headDim}`);
    expect(r.stdout.match(/✓ /g)?.length).toBeGreaterThanOrEqual(3);
    expect(r.stdout).toContain('pos 3: [scored, scored, scored, scored]');
    expect(r.stdout).toContain('pos 0: [   0, -1e9, -1e9, -1e9]');
  });
});

describe('help and bad input: one line on stderr, exit 2, nothing on stdout', () => {
  it('--help lists the commands with examples', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/explain/);
    expect(r.stdout).toMatch(/Examples:/);
  });

  it('explain with no mode prints the modes and exits 2', async () => {
    const r = await runCli(['explain']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--attention <text>/);
    expect(r.stderr).toMatch(/--kernel <family>/);
  });

  const cases: Array<[string, string[], RegExp]> = [
    ['characters outside the vocabulary', ['explain', '--attention', 'Mar!'], /outside the vocabulary: "M", "!"/],
    ['uppercase suggests lowercase', ['explain', '--attention', 'MAR'], /did you mean "mar"/],
    ['empty text', ['explain', '--attention', ''], /empty/],
    ['text too long', ['explain', '--attention', 'abcdefghijklmnop'], /at most 15/],
    ['unknown family', ['explain', '--kernel', 'lama'], /unknown family "lama" \(did you mean "llama"\?\)/],
    ['unknown tensor', ['explain', '--tensor', 'attn_msk'], /unknown tensor "attn_msk".*did you mean "attn_mask"/],
    ['unknown example', ['example', 'explain_atention'], /unknown example.*did you mean "explain_attention"/],
    ['bad seed', ['explain', '--attention', 'mar', '--seed', 'abc'], /--seed/],
    ['two modes', ['explain', '--attention', 'mar', '--kernel', 'gpt2'], /one mode at a time/],
    ['unknown size', ['explain', '--kernel', 'gpt2', '-v', '--size', '125m'], /unknown size "125m"/],
  ];
  for (const [what, args, message] of cases) it(what, async () => expectOneLineError(await runCli(args), message));
});
