/**
 * What a forward pass does at each hook point: hands the activation to the
 * hooks that want it (they read it, or overwrite it in place), then checks it
 * is finite, so a NaN from a corrupted weight stops the run where it first
 * appears instead of reaching a table, a heatmap or a sample.
 */
import { MicrogptError } from '../errors.js';
import { parseHook } from './hooks.js';

export type Activation = Float32Array | Float64Array;

/** One per-call hook: no global state, nothing left behind after the run. */
export interface Hook {
  /** Whether this hook visits a point; points no hook wants are never materialised. */
  wants(name: string): boolean;
  /** Reads the activation, or overwrites it in place to replace it. */
  visit(name: string, values: Activation, shape: readonly number[]): void;
}

/** The hooks of one run, and where its activations are checked. */
export class HookSite {
  constructor(
    private readonly hooks: readonly Hook[],
    /** Where the weights come from, for the message when a value is not finite; null: no check (training). */
    private readonly checkFor: string | null,
  ) {}

  /** No hooks and no checks: what training runs with. */
  static readonly NONE = new HookSite([], null);

  wants(name: string): boolean {
    for (const h of this.hooks) if (h.wants(name)) return true;
    return false;
  }

  /** Visits the hooks that want this point, then checks the (possibly replaced) values. */
  emit(name: string, values: Activation, shape: readonly number[]): void {
    for (const h of this.hooks) if (h.wants(name)) h.visit(name, values, shape);
    if (this.checkFor !== null) this.check(name, values, shape);
  }

  private check(name: string, values: Activation, shape: readonly number[]): void {
    // Masked scores are −Infinity by definition; anything else there would show up in the pattern.
    const scores = name.endsWith('attn.hook_attn_scores');
    if (!scores && allFinite(values)) return;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v - v === 0 || (scores && v === -Infinity)) continue;
      throw nonFinite(name, v, i, shape, this.checkFor!);
    }
  }
}

/**
 * Whether every value is finite, without a branch per value. float32: its bits
 * (an Int32Array over the same buffer sees them whatever the byte order): the
 * exponent field plus one overflows into the sign bit only when the field is
 * all ones (±Infinity, NaN). float64: v − v is 0 when finite, NaN otherwise,
 * and a NaN in a sum stays there.
 */
function allFinite(v: Activation): boolean {
  if (v instanceof Float32Array) {
    const bits = new Int32Array(v.buffer, v.byteOffset, v.length);
    let acc = 0;
    for (let i = 0; i < bits.length; i++) acc |= (bits[i]! & 0x7f800000) + 0x00800000;
    return (acc & 0x80000000) === 0;
  }
  let a = 0,
    b = 0,
    i = 0;
  for (const n = v.length - (v.length % 2); i < n; i += 2) {
    a += v[i]! - v[i]!;
    b += v[i + 1]! - v[i + 1]!;
  }
  if (i < v.length) a += v[i]! - v[i]!;
  return a + b === 0;
}

function nonFinite(name: string, v: number, index: number, shape: readonly number[], where: string): MicrogptError {
  const hook = parseHook(name);
  const at = hook?.layer === null || hook === null ? name : `layer ${hook.layer}, ${name}`;
  // The first axis is the position for every point but the attention ones, whose first is the head.
  const per = shape.slice(1).reduce((a, b) => a * b, 1);
  const axis = name.includes('attn.hook_attn_scores') || name.includes('attn.hook_pattern') ? 'head' : 'position';
  return new MicrogptError(
    'MG110',
    `${Number.isNaN(v) ? 'a NaN' : 'an infinite value'} appeared at ${at} (${axis} ${Math.floor(index / per)}) while running ${where}; the weights probably hold NaN or infinity: microgpt validate --scan ${where} names the tensor`,
    1,
  );
}

/** Runs the hooks of every list given, in order. */
export function hooksOf(...lists: ReadonlyArray<Hook | readonly Hook[] | undefined>): Hook[] {
  return lists.flatMap((h) => (h === undefined ? [] : Array.isArray(h) ? h : [h as Hook]));
}

/** A hook that copies every activation it matches: TransformerLens's run_with_cache. */
export function cachingHook(match: (name: string) => boolean): {
  hook: Hook;
  cache: Map<string, { values: Activation; shape: number[] }>;
} {
  const cache = new Map<string, { values: Activation; shape: number[] }>();
  return {
    cache,
    hook: {
      wants: match,
      visit: (name, values, shape) => void cache.set(name, { values: values.slice(), shape: [...shape] }),
    },
  };
}

/** A hook for exactly one point. */
export function pointHook(name: string, visit: (values: Activation, shape: readonly number[]) => void): Hook {
  return { wants: (n) => n === name, visit: (_, values, shape) => visit(values, shape) };
}

/**
 * A name pattern where `*` matches any run of characters, dots included
 * (`blocks.*.attn.hook_pattern`, `*resid_post`); everything else matches
 * itself. Matched by hand, never turned into a regular expression.
 */
export function globMatcher(patterns: readonly string[]): (name: string) => boolean {
  const parsed = patterns.map((p) => p.split('*'));
  return (name) => parsed.some((parts) => globMatch(parts, name));
}

function globMatch(parts: readonly string[], name: string): boolean {
  if (parts.length === 1) return name === parts[0];
  const first = parts[0]!,
    last = parts[parts.length - 1]!;
  if (!name.startsWith(first) || !name.endsWith(last) || first.length + last.length > name.length) return false;
  let at = first.length;
  const end = name.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = name.indexOf(parts[i]!, at);
    if (found < 0 || found + parts[i]!.length > end) return false;
    at = found + parts[i]!.length;
  }
  return true;
}
