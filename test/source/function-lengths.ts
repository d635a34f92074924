/**
 * The length of every function body in a source tree, read with the TypeScript
 * compiler's parser: function declarations, methods, accessors, constructors,
 * function expressions and arrow functions with a block body. A body's length
 * is its lines from `{` to `}`, nested functions included (they are part of
 * what a reader has to hold).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export interface FunctionLength {
  /** path relative to the root given, with forward slashes */
  file: string;
  /** the function's name, or how it is reached (`buildProgram`, `Gpt.forward`, `<arrow>`) */
  name: string;
  /** 1-based line of the body's opening brace */
  line: number;
  lines: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function nameOf(node: ts.Node): string {
  const named = node as { name?: ts.Node };
  if (named.name && (ts.isIdentifier(named.name) || ts.isPrivateIdentifier(named.name))) {
    const owner = node.parent && ts.isClassLike(node.parent) && node.parent.name ? `${node.parent.name.text}.` : '';
    return owner + named.name.text;
  }
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  // `const f = () => {…}` and `f: () => {…}` take the name they are bound to.
  const p = node.parent;
  if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p)) && ts.isIdentifier(p.name)) return p.name.text;
  return ts.isArrowFunction(node) ? '<arrow>' : '<function>';
}

/** Every function body in the .ts files under `root`, longest first. */
export function functionLengths(root: string): FunctionLength[] {
  const found: FunctionLength[] = [];
  for (const path of sourceFiles(root)) {
    const src = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body && ts.isBlock(node.body as ts.Node)) {
        const body = node.body as ts.Block;
        const start = src.getLineAndCharacterOfPosition(body.getStart(src)).line;
        const end = src.getLineAndCharacterOfPosition(body.getEnd()).line;
        found.push({
          file: relative(root, path).split('\\').join('/'),
          name: nameOf(node),
          line: start + 1,
          lines: end - start + 1,
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(src);
  }
  return found.sort((a, b) => b.lines - a.lines);
}
