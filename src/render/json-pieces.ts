import { jsonDocument, jsonEscape } from './json.js';

/**
 * Characters gathered before a piece is handed on. Small enough that every
 * string made on the way stays under V8's large-object size (128 KB): those
 * die in the young generation, while megabyte strings go to the large-object
 * space and pile up there until a full collection (65 MB of them for a
 * 44 MB document of 100,000 tensors).
 */
const PIECE = 1 << 15;
/** Arrays longer than this are written element by element; shorter values in one JSON.stringify. */
const LONG = 64;

/**
 * renderJson's document in pieces of some 32 K characters, whose concatenation is
 * exactly renderJson's text: a report of 100,000 tensors is never one 50 MB
 * string (and its copies), so the peak memory is the report, not the report
 * plus its text. Each piece is escaped as renderJson escapes the whole.
 */
export function* renderJsonPieces(
  command: string,
  inputs: Record<string, unknown>,
  report: object,
): Generator<string, void, undefined> {
  let buffer: string[] = [];
  let size = 0;
  for (const part of pieces(jsonDocument(command, inputs, report), '', '')) {
    buffer.push(part);
    size += part.length;
    if (size >= PIECE) {
      yield jsonEscape(buffer.join(''));
      buffer = [];
      size = 0;
    }
  }
  if (size) yield jsonEscape(buffer.join(''));
}

/**
 * The text JSON.stringify(value, null, 2) gives for `value` at indentation
 * `indent`, in parts: long arrays and objects holding them are walked, the
 * rest is stringified whole and indented (JSON text has no raw newlines inside
 * strings, so indenting every line break is exact).
 */
function* pieces(value: unknown, indent: string, key: string): Generator<string, void, undefined> {
  const v = toJson(value, key);
  if (!isLarge(v)) {
    const text = JSON.stringify(v, null, 2) ?? 'null';
    yield indent ? text.replaceAll('\n', `\n${indent}`) : text;
    return;
  }
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (!v.some((x) => isLarge(x) || hasToJson(x))) {
      yield* batches(v, indent);
      return;
    }
    yield '[';
    for (let i = 0; i < v.length; i++) {
      yield `${i ? ',' : ''}\n${inner}`;
      yield* pieces(
        v[i] === undefined || typeof v[i] === 'function' || typeof v[i] === 'symbol' ? null : v[i],
        inner,
        String(i),
      );
    }
    yield `\n${indent}]`;
    return;
  }
  yield '{';
  let first = true;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const y = toJson(x, k);
    if (y === undefined || typeof y === 'function' || typeof y === 'symbol') continue;
    yield `${first ? '' : ','}\n${inner}${JSON.stringify(k)}: `;
    first = false;
    yield* pieces(y, inner, k);
  }
  yield first ? '}' : `\n${indent}}`;
}

/** Elements stringified per call: a tensor's row is about 450 characters, so a batch is some 30 K (see PIECE). */
const BATCH = 64;

/**
 * A long array of small elements, a batch at a time. Each batch is
 * stringified nested in as many arrays as the array is deep, so JSON.stringify
 * itself indents it as in the whole document; the nesting is then cut off.
 */
function* batches(v: readonly unknown[], indent: string): Generator<string, void, undefined> {
  const depth = indent.length / 2;
  let prefix = '';
  let suffix = '';
  for (let k = 0; k <= depth; k++) {
    prefix += `[\n${'  '.repeat(k + 1)}`;
    suffix = `\n${'  '.repeat(k)}]` + suffix;
  }
  yield '[';
  for (let i = 0; i < v.length; i += BATCH) {
    let nested: unknown = v.slice(i, i + BATCH);
    for (let k = 0; k < depth; k++) nested = [nested];
    const text = JSON.stringify(nested, null, 2);
    yield `${i ? ',' : ''}\n${indent}  ${text.slice(prefix.length, text.length - suffix.length)}`;
  }
  yield `\n${indent}]`;
}

const hasToJson = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function';

/** What JSON.stringify writes for a value: its toJSON when it has one. */
const toJson = (v: unknown, key: string): unknown =>
  typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function'
    ? (v as { toJSON: (k: string) => unknown }).toJSON(key)
    : v;

/** An array longer than LONG, or an object or array holding one at any depth. */
function isLarge(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) return v.length > LONG || v.some(isLarge);
  return Object.values(v).some(isLarge);
}
