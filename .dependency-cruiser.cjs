/**
 * The layers of docs/architecture.md, checked in CI: data flows one
 * way — tensor → kernels → contracts → engine → model → explain → render → cli —
 * and each layer imports only from the layers below it. Type-only and dynamic
 * imports count too (tsPreCompilationDeps), and no import circle is allowed.
 */
const layer = (name, allowed) => ({
  name: `${name}-imports-only-below`,
  comment: `src/${name} may import only: ${allowed.join(', ') || 'itself'}`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: {
    path: '^src/',
    pathNot: [`^src/${name}/`, ...allowed.map((a) => `^src/${a}(/|\\.ts$)`)],
  },
});

/** Files at the top of src/ that every layer may use: errors, error codes, suggestions, paths, clipping long strings. */
const SHARED = ['errors', 'error-codes', 'suggest', 'paths', 'clip'];

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    layer('tensor', SHARED),
    layer('compute', ['errors']),
    layer('kernels', ['tensor', ...SHARED]),
    layer('formats', ['inputs', 'fsutil', ...SHARED]),
    layer('contracts', ['formats', 'kernels', 'tensor', ...SHARED]),
    layer('engine', ['tensor', 'compute', ...SHARED]),
    layer('model', ['engine', 'compute', 'tensor', 'kernels', 'formats', 'contracts', 'fsutil', 'inputs', ...SHARED]),
    layer('explain', ['model', 'engine', 'tensor', 'kernels', 'formats', 'contracts', ...SHARED]),
    layer('render', ['explain', 'engine', 'kernels', 'contracts', 'formats', ...SHARED]),
    {
      name: 'cli-is-the-top',
      comment: 'only the CLI wiring (src/cli, program.ts, cli.ts) imports src/cli',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/cli/', '^src/program\\.ts$', '^src/cli\\.ts$'] },
      to: { path: '^src/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
