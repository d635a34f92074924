/**
 * GPT-2's BPE without the quadratic cost on long pieces. gpt-tokenizer splits
 * text with GPT-2's pattern and merges each piece by scanning all its pairs for
 * the lowest rank, once per merge: a run of 100,000 'a's is one piece, and that
 * scan made `cache` on it take seconds and `eval` on a 300 KB line minutes.
 * Pieces up to LONG_PIECE bytes (all of normal text) still go to gpt-tokenizer
 * unchanged; longer ones are merged here the same way with a heap of pairs and
 * a linked list of parts (as tiktoken and HF tokenizers do): O(n log n), with
 * the same choice at every step (lowest rank, leftmost on ties), so the same ids.
 */
import { MinHeap } from './min-heap.js';

/** Longer pieces (in UTF-8 bytes) are merged here; shorter ones cost gpt-tokenizer at most LONG_PIECE² steps. */
export const LONG_PIECE = 128;

export interface Gpt2Bpe {
  encode(text: string): number[];
}

export interface Gpt2BpeParts {
  /** gpt-tokenizer's encode: its checks (special tokens) and its ids for normal text. */
  encode(text: string): number[];
  /** gpt-tokenizer's rank table: index = rank = id; a string (its UTF-8 bytes) or the bytes themselves. */
  ranks: readonly (string | readonly number[] | undefined)[];
  /** GPT-2's split pattern, gpt-tokenizer's own (global, unicode). */
  split: RegExp;
  /** Its special tokens (<|endoftext|>): text holding one goes whole to `encode`, which refuses it before merging. */
  special: readonly string[];
}

/** Byte string (one char per byte) → rank, and the longest token in bytes. */
export interface RankTable {
  byKey: Map<string, number>;
  longest: number;
}

const utf8 = new TextEncoder();

function byteKey(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

export function rankTable(ranks: Gpt2BpeParts['ranks']): RankTable {
  const byKey = new Map<string, number>();
  let longest = 1;
  ranks.forEach((v, rank) => {
    if (v === undefined) return;
    const bytes = typeof v === 'string' ? utf8.encode(v) : v;
    byKey.set(byteKey(bytes), rank);
    longest = Math.max(longest, bytes.length);
  });
  return { byKey, longest };
}

/** Counts of the work done, for tests that check the cost is near-linear without timing it. */
export interface MergeCounts {
  lookups: number;
  pops: number;
}

/**
 * Merge one piece's bytes as GPT-2's BPE does: repeatedly join the adjacent
 * pair of parts with the lowest rank (leftmost on ties) until no pair is a token.
 */
export function mergeBytes(bytes: Uint8Array, table: RankTable, counts?: MergeCounts): number[] {
  const n = bytes.length;
  // Parts are named by their first byte; next/prev link the live ones; end of part i is next[i].
  const next = new Int32Array(n + 1);
  const prev = new Int32Array(n + 1);
  const version = new Uint32Array(n + 1);
  for (let i = 0; i <= n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  // Each live part's bytes as a string key (one char per byte), joined as parts merge.
  const key: string[] = Array.from(bytes, (b) => String.fromCharCode(b));
  const rankOf = (a: number, b: number): number => {
    if (key[a]!.length + key[b]!.length > table.longest) return Infinity;
    if (counts) counts.lookups++;
    return table.byKey.get(key[a]! + key[b]!) ?? Infinity;
  };
  // Entries [rank, start, version]: ordered by rank then start, so ties go to the leftmost pair.
  const heap = new MinHeap<[number, number, number]>((a, b) => a[0] - b[0] || a[1] - b[1]);
  const offer = (i: number): void => {
    version[i]!++; // older entries for part i no longer describe it
    if (next[i]! >= n) return;
    const r = rankOf(i, next[i]!);
    if (r !== Infinity) heap.push([r, i, version[i]!]);
  };
  for (let i = 0; i + 1 < n; i++) offer(i);
  for (let top = heap.pop(); top !== undefined; top = heap.pop()) {
    if (counts) counts.pops++;
    const [, i, v] = top;
    if (version[i] !== v) continue; // the part changed since this pair was offered
    const gone = next[i]!;
    key[i] += key[gone]!;
    next[i] = next[gone]!;
    prev[next[i]!] = i;
    version[gone]!++;
    offer(i);
    if (prev[i]! >= 0) offer(prev[i]!);
  }
  const ids: number[] = [];
  for (let i = 0; i < n; i = next[i]!) {
    const id = table.byKey.get(key[i]!);
    if (id === undefined) throw new Error(`GPT-2's BPE has no token for bytes ${i}..${next[i]!}`);
    ids.push(id);
  }
  return ids;
}

/** The piece's ids, whether gpt-tokenizer would merge it slowly or not. */
function pieceIds(piece: string, parts: Gpt2BpeParts, table: () => RankTable): number[] {
  if (piece.length * 3 > LONG_PIECE) {
    const bytes = utf8.encode(piece); // at most 3 UTF-8 bytes per UTF-16 unit, so shorter pieces skip this
    if (bytes.length > LONG_PIECE) return mergeBytes(bytes, table());
  }
  // Alone, a piece splits as itself (a whitespace run followed by one more whitespace character is two
  // pieces in the text but one in a cut-out stretch, so stretches of several pieces are not passed).
  return parts.encode(piece);
}

/** gpt-tokenizer's encode, with pieces longer than LONG_PIECE bytes merged by mergeBytes. */
export function gpt2Bpe(parts: Gpt2BpeParts): Gpt2Bpe {
  let built: RankTable | undefined;
  const table = (): RankTable => (built ??= rankTable(parts.ranks));
  return {
    encode(text) {
      // Normal text, and text holding a special token (refused by gpt-tokenizer before any merging), go whole.
      const special = parts.special.some((t) => text.includes(t));
      if (special || !hasLongPiece(text, parts.split)) return parts.encode(text);
      const ids: number[] = [];
      for (const m of text.matchAll(parts.split)) for (const id of pieceIds(m[0], parts, table)) ids.push(id);
      return ids;
    },
  };
}

function hasLongPiece(text: string, split: RegExp): boolean {
  if (text.length <= LONG_PIECE / 3) return false;
  for (const m of text.matchAll(split))
    if (m[0].length * 3 > LONG_PIECE && utf8.encode(m[0]).length > LONG_PIECE) return true;
  return false;
}
