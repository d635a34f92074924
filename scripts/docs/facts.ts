/**
 * Facts the prose of the docs states that come from the code — how many
 * families there are, which of them run — computed here and written into
 * `<!-- fact:NAME -->…<!-- /fact -->` by `npm run docs`, so a page never
 * says "nine families" after a tenth is added.
 */
import { ContractSet } from '../../src/contracts/index.js';
import { tinyInstance } from '../../src/model/family.js';
import { RUNNABLE } from '../../src/model/hf/families.js';
import { builtinNames } from '../../src/model/corpus.js';

const grouped = (n: number) => n.toLocaleString('en-US');

/** "a, b and c". */
const inWords = (items: readonly string[]) =>
  items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

export async function computeFacts(): Promise<Map<string, string>> {
  const set = await ContractSet.load();
  const contracts = set.families.map((l) => l.contract);
  const runsTiny = contracts.filter((c) => {
    try {
      tinyInstance(c, 27);
      return c.family !== 'microgpt';
    } catch {
      return false;
    }
  });
  const display = (family: string) => set.get(family).display_name;
  return new Map([
    ['families', String(contracts.length)],
    ['tiny-families', String(runsTiny.length)],
    [
      'explain-only',
      inWords(contracts.filter((c) => !runsTiny.includes(c) && c.family !== 'microgpt').map((c) => c.display_name)),
    ],
    ['float32-count', String(RUNNABLE.length)],
    ['float32-families', inWords(RUNNABLE.map((r) => display(r.family)))],
    ['names', grouped(builtinNames().length)],
  ]);
}
