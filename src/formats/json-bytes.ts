/**
 * A one-pass reader of JSON text held as UTF-8 bytes, for headers that come
 * from files. Unlike JSON.parse it builds nothing the caller does not ask for:
 * the caller walks the document (an object's keys one by one, a string, a
 * number) and skips what it does not want with `skip`, which keeps no more
 * than a bounded stack. So a header's memory is its bytes plus what is kept,
 * whatever its shape, and a value nested deeper than `maxDepth` is refused
 * instead of exhausting the stack or the heap. Syntax is checked as strictly
 * as JSON.parse checks it.
 */
export class JsonBytes {
  pos = 0;
  private readonly end: number;
  private readonly b: Buffer;

  constructor(
    /** The JSON text, all of it. */
    bytes: Uint8Array,
    /** Throws: the message says what is wrong and where (a byte offset in the file). */
    private readonly fail: (msg: string) => never,
    private readonly maxDepth: number,
    /** Added to positions in messages, so they are offsets in the file. */
    private readonly base = 0,
  ) {
    this.b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    this.end = bytes.length;
  }

  /** Fails at the current position, naming the byte. */
  error(what: string): never {
    return this.fail(`${what} at byte ${this.base + this.pos}`);
  }

  /** Skips whitespace and returns the next byte (-1 at the end) without consuming it. */
  peek(): number {
    const b = this.b;
    let p = this.pos;
    while (p < this.end && (b[p] === 0x20 || b[p] === 0x0a || b[p] === 0x0d || b[p] === 0x09)) p++;
    this.pos = p;
    return p < this.end ? b[p]! : -1;
  }

  /** Consumes `c` (after whitespace) or fails saying what was expected. */
  expect(c: number, what: string): void {
    if (this.peek() !== c) this.error(`expected ${what}`);
    this.pos++;
  }

  /** After a value inside an object or array: true when another member follows (a comma), false at `close`. */
  more(close: number): boolean {
    const c = this.peek();
    if (c === 0x2c) {
      this.pos++;
      return true;
    }
    if (c === close) {
      this.pos++;
      return false;
    }
    return this.error(`expected "," or "${String.fromCharCode(close)}"`);
  }

  /** Opens an object or array: true when it has a first member, false when it is empty (and then closed). */
  open(c: number, close: number, what: string): boolean {
    this.expect(c, what);
    if (this.peek() === close) {
      this.pos++;
      return false;
    }
    return true;
  }

  /** An object key and its colon. */
  key(): string {
    if (this.peek() !== 0x22) this.error('expected a string key');
    const k = this.string();
    this.expect(0x3a, '":"');
    return k;
  }

  /**
   * A string that is one of `choices` (ASCII): its index, compared byte by byte
   * without making a string when it has no escapes; otherwise the string itself, decoded.
   */
  oneOf(choices: readonly string[]): number | string {
    if (this.peek() !== 0x22) this.error('expected a string');
    const b = this.b;
    const start = this.pos + 1;
    let p = start;
    while (p < this.end && b[p] !== 0x22 && b[p] !== 0x5c) p++;
    if (b[p] === 0x22)
      for (let i = 0; i < choices.length; i++) {
        const c = choices[i]!;
        if (c.length !== p - start) continue;
        let k = 0;
        while (k < c.length && b[start + k] === c.charCodeAt(k)) k++;
        if (k === c.length) {
          this.pos = p + 1;
          return i;
        }
      }
    // Escapes spell the same text: compare the decoded string.
    const text = this.string();
    const i = choices.indexOf(text);
    return i >= 0 ? i : text;
  }

  /** An object key and its colon: whether the key is `word` (ASCII), found without making a string when it has no escapes. */
  keyIs(word: string): boolean {
    if (this.peek() !== 0x22) this.error('expected a string key');
    const b = this.b;
    const start = this.pos + 1;
    let p = start;
    while (p < this.end && b[p] !== 0x22 && b[p] !== 0x5c) p++;
    let is: boolean;
    if (b[p] === 0x5c) is = this.string() === word;
    else {
      is = p - start === word.length;
      for (let k = 0; is && k < word.length; k++) is = b[start + k] === word.charCodeAt(k);
      this.skipString();
    }
    this.expect(0x3a, '":"');
    return is;
  }

  /** Past an object key and its colon, without decoding the key. */
  private skipKey(): void {
    if (this.peek() !== 0x22) this.error('expected a string key');
    this.skipString();
    this.expect(0x3a, '":"');
  }

  /** A string, decoded as JSON.parse decodes it (escapes, surrogates as written, raw bytes as UTF-8). */
  string(): string {
    const b = this.b;
    if (this.peek() !== 0x22) this.error('expected a string');
    let p = ++this.pos;
    let chunkStart = p;
    let out: string | null = null;
    for (;;) {
      if (p >= this.end) {
        this.pos = p;
        this.error('unterminated string');
      }
      const c = b[p]!;
      if (c === 0x22) break;
      if (c < 0x20) {
        this.pos = p;
        this.error('control character in a string');
      }
      if (c !== 0x5c) {
        p++;
        continue;
      }
      out = (out ?? '') + utf8(b, chunkStart, p);
      this.pos = p;
      const [text, used] = this.escape(p);
      out += text;
      p += used;
      chunkStart = p;
    }
    const tail = utf8(b, chunkStart, p);
    this.pos = p + 1;
    return out === null ? tail : out + tail;
  }

  /** One escape at `p` (a backslash): its text and how many bytes it took. */
  private escape(p: number): [string, number] {
    const c = this.b[p + 1] ?? -1;
    const simple = ESCAPES.get(c);
    if (simple !== undefined) return [simple, 2];
    if (c !== 0x75) return this.error('invalid escape in a string');
    let code = 0;
    for (let i = 2; i < 6; i++) {
      const h = hexValue(this.b[p + i] ?? -1);
      if (h < 0) return this.error('invalid \\u escape in a string');
      code = code * 16 + h;
    }
    return [String.fromCharCode(code), 6];
  }

  /** Past a string, checking it as `string` does, without decoding it. */
  skipString(): void {
    const b = this.b;
    let p = this.pos + 1;
    for (;;) {
      if (p >= this.end) {
        this.pos = p;
        this.error('unterminated string');
      }
      const c = b[p]!;
      if (c === 0x22) break;
      if (c < 0x20) {
        this.pos = p;
        this.error('control character in a string');
      }
      if (c === 0x5c) {
        this.pos = p;
        p += this.escape(p)[1];
      } else p++;
    }
    this.pos = p + 1;
  }

  /** A number, as JSON writes it; its value as JSON.parse gives it. */
  number(): number {
    const b = this.b;
    const start = this.peek() >= 0 ? this.pos : this.error('expected a number');
    let p = start;
    if (b[p] === 0x2d) p++;
    if (b[p] === 0x30) p++;
    else if (isDigit(b[p])) while (isDigit(b[p])) p++;
    else {
      this.pos = p;
      this.error('expected a number');
    }
    if (p < this.end && b[p] === 0x2e) {
      p++;
      if (!isDigit(b[p])) {
        this.pos = p;
        this.error('expected a digit after "."');
      }
      while (isDigit(b[p])) p++;
    }
    if (p < this.end && (b[p] === 0x65 || b[p] === 0x45)) {
      p++;
      if (p < this.end && (b[p] === 0x2b || b[p] === 0x2d)) p++;
      if (!isDigit(b[p])) {
        this.pos = p;
        this.error('expected a digit in the exponent');
      }
      while (isDigit(b[p])) p++;
    }
    this.pos = p;
    return p - start <= 15 ? smallNumber(b, start, p) : Number(b.toString('latin1', start, p));
  }

  /** What kind of value comes next, without consuming it. */
  kind(): 'object' | 'array' | 'string' | 'number' | 'true' | 'false' | 'null' | 'end' | 'invalid' {
    const c = this.peek();
    if (c === 0x7b) return 'object';
    if (c === 0x5b) return 'array';
    if (c === 0x22) return 'string';
    if (c === 0x2d || isDigit(c)) return 'number';
    if (c === 0x74) return 'true';
    if (c === 0x66) return 'false';
    if (c === 0x6e) return 'null';
    return c < 0 ? 'end' : 'invalid';
  }

  /**
   * Skips one value of any kind, checking its syntax. Nesting is followed with
   * a stack of at most `maxDepth - depth` entries; deeper is refused.
   */
  skip(depth: number): void {
    const closers: number[] = [];
    for (;;) {
      const k = this.kind();
      if (k === 'object' || k === 'array') {
        const close = k === 'object' ? 0x7d : 0x5d;
        if (depth + closers.length + 1 > this.maxDepth) this.error(`nesting deeper than ${this.maxDepth} levels`);
        if (this.open(k === 'object' ? 0x7b : 0x5b, close, k === 'object' ? '"{"' : '"["')) {
          closers.push(close);
          if (close === 0x7d) this.skipKey();
          continue;
        }
      } else if (k === 'string') this.skipString();
      else if (k === 'number') this.number();
      else if (k === 'true' || k === 'false' || k === 'null') this.literal(k);
      else this.error(k === 'end' ? 'unexpected end of the header' : 'unexpected character');
      // A value is done: close every container it ends, or go on to the next member.
      for (;;) {
        const close = closers.at(-1);
        if (close === undefined) return;
        if (this.more(close)) {
          if (close === 0x7d) this.skipKey();
          break;
        }
        closers.pop();
      }
    }
  }

  /** true, false or null. */
  literal(word: 'true' | 'false' | 'null'): void {
    this.peek();
    for (let i = 0; i < word.length; i++)
      if (this.b[this.pos + i] !== word.charCodeAt(i)) this.error(`expected ${word}`);
    this.pos += word.length;
  }

  /** Fails unless only whitespace is left. */
  done(): void {
    if (this.peek() !== -1) this.error('unexpected text after the JSON value');
  }
}

const ESCAPES = new Map<number, string>([
  [0x22, '"'],
  [0x5c, '\\'],
  [0x2f, '/'],
  [0x62, '\b'],
  [0x66, '\f'],
  [0x6e, '\n'],
  [0x72, '\r'],
  [0x74, '\t'],
]);

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** A number of at most 15 characters: an integer is summed digit by digit (exact), anything else goes to Number. */
function smallNumber(b: Buffer, from: number, to: number): number {
  let i = from;
  const negative = b[i] === 0x2d;
  if (negative) i++;
  let v = 0;
  for (; i < to; i++) {
    const c = b[i]!;
    if (c < 0x30 || c > 0x39) return Number(b.toString('latin1', from, to));
    v = v * 10 + (c - 0x30);
  }
  return negative ? -v : v;
}

/** As Buffer.toString decodes the whole header: invalid sequences become U+FFFD, a leading BOM is kept. */
const utf8 = (b: Buffer, from: number, to: number): string => (from === to ? '' : b.toString('utf8', from, to));

/**
 * JSON text → plain values, as JSON.parse gives them (a "__proto__" key is an
 * own property, never the prototype), refusing nesting deeper than `maxDepth`
 * so that a small hostile file cannot become a huge tree of empty arrays.
 */
export function parseJson(bytes: Uint8Array, fail: (msg: string) => never, maxDepth: number): unknown {
  const j = new JsonBytes(bytes, fail, maxDepth);
  const v = value(j, 0, maxDepth);
  j.done();
  return v;
}

function value(j: JsonBytes, depth: number, maxDepth: number): unknown {
  const k = j.kind();
  if (k === 'string') return j.string();
  if (k === 'number') return j.number();
  if (k === 'true' || k === 'false' || k === 'null') {
    j.literal(k);
    return k === 'null' ? null : k === 'true';
  }
  if (k !== 'object' && k !== 'array')
    return j.error(k === 'end' ? 'unexpected end of the text' : 'unexpected character');
  if (depth + 1 > maxDepth) return j.error(`nesting deeper than ${maxDepth} levels`);
  if (k === 'array') {
    const out: unknown[] = [];
    if (j.open(0x5b, 0x5d, '"["'))
      do out.push(value(j, depth + 1, maxDepth));
      while (j.more(0x5d));
    return out;
  }
  const out: Record<string, unknown> = {};
  if (j.open(0x7b, 0x7d, '"{"'))
    do {
      const key = j.key();
      const v = value(j, depth + 1, maxDepth);
      if (key === '__proto__')
        Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
    } while (j.more(0x7d));
  return out;
}

/**
 * Checks JSON text without building it: its syntax, and nesting no deeper than
 * `maxDepth` (the bound JSON.parse lacks). After it passes, JSON.parse builds
 * a tree no deeper than that.
 */
export function checkJson(bytes: Uint8Array, fail: (msg: string) => never, maxDepth: number): void {
  const j = new JsonBytes(bytes, fail, maxDepth);
  j.skip(0);
  j.done();
}
