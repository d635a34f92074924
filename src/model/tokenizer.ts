import { MicrogptError } from '../errors.js';

/** Printable label for a token id: the character, or BOS. */
export const BOS_LABEL = 'BOS';

/**
 * Character-level tokenizer: the sorted unique characters of the corpus get ids
 * 0..n−1 and BOS, which both begins and ends a name, is the last id n.
 */
/** Largest character vocabulary a model may have: bounds every table and page printed per token. */
export const MAX_CHARS = 1024;

export class Tokenizer {
  readonly bos: number;
  private readonly index: Map<string, number>;

  constructor(readonly chars: readonly string[]) {
    this.bos = chars.length;
    this.index = new Map(chars.map((c, i) => [c, i]));
    if (this.index.size !== chars.length) throw new Error('Tokenizer: characters must be unique');
  }

  /** a–z + BOS: the vocabulary of the built-in names corpus. */
  static default(): Tokenizer {
    return new Tokenizer('abcdefghijklmnopqrstuvwxyz'.split(''));
  }

  static fromDocs(docs: readonly string[]): Tokenizer {
    const set = new Set<string>();
    for (const d of docs) for (const c of d) set.add(c);
    if (set.size > MAX_CHARS)
      throw new MicrogptError(
        'MG046',
        `the data has ${set.size} distinct characters; a character-level model here takes at most ${MAX_CHARS} (use a corpus of names or words)`,
      );
    return new Tokenizer([...set].sort());
  }

  get vocabSize(): number {
    return this.chars.length + 1;
  }

  /** Ids of the characters of `text`; unknown characters are an error that names them. */
  encodeChars(text: string): number[] {
    const ids: number[] = [];
    const unknown = new Set<string>();
    for (const c of text) {
      const id = this.index.get(c);
      if (id === undefined) unknown.add(c);
      else ids.push(id);
    }
    if (unknown.size > 0) {
      const shown = [...unknown].map((c) => JSON.stringify(c)).join(', ');
      throw new MicrogptError(
        'MG003',
        `text contains characters outside the vocabulary: ${shown}; allowed: ${this.describeVocab()}`,
      );
    }
    return ids;
  }

  /** [BOS, chars…]: the model's input for a prompt, as in the seed chapter's [BOS, m, a, r]. */
  encodePrompt(text: string): number[] {
    return [this.bos, ...this.encodeChars(text)];
  }

  /** [BOS, chars…, BOS]: a training document; inputs are all but the last, targets all but the first. */
  encodeDoc(doc: string): number[] {
    return [this.bos, ...this.encodeChars(doc), this.bos];
  }

  label(id: number): string {
    return id === this.bos ? BOS_LABEL : this.chars[id];
  }

  describeVocab(): string {
    const s = this.chars.join('');
    return s === 'abcdefghijklmnopqrstuvwxyz' ? 'lowercase letters a–z' : JSON.stringify(s);
  }
}
