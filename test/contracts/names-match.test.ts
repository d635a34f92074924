import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContractSet, instantiate, nameIndex } from '../../src/contracts/index.js';

const contracts = (await ContractSet.load()).families.map((f) => f.contract);
const templates = contracts.flatMap((c) => c.tensors.flatMap((t) => [t.name, ...(t.gguf ? [t.gguf] : [])]));

/** Names near the families' own: instances with any layer and expert, prefixes added or dropped, characters changed. */
const names = fc
  .tuple(
    fc.constantFrom(...templates),
    fc.nat(2_000_000_000),
    fc.nat(99),
    fc.constantFrom('', 'base_model.model.', 'x.', 'a.b.c.d.', '1.'),
    fc.nat(3),
    fc.option(fc.tuple(fc.nat(80), fc.constantFrom('', '.', '0', '7', 'x', '12345678901'))),
  )
  .map(([t, n, e, prefix, drop, edit]) => {
    let name = prefix + instantiate(t, n, e).split('.').slice(drop).join('.');
    if (edit) name = name.slice(0, edit[0]) + edit[1] + name.slice(edit[0] + 1);
    return name;
  });

describe('counting names without building matches', () => {
  it('matches(name) is exactly whether match(name) finds a template, for every family (fast-check, 2,000 names)', () => {
    fc.assert(
      fc.property(names, (name) => {
        for (const c of contracts) {
          const idx = nameIndex(c);
          expect(idx.matches(name), `${c.family}: ${name}`).toBe(idx.match(name) !== undefined);
        }
      }),
      { numRuns: 2000, seed: 19 },
    );
  });
});
