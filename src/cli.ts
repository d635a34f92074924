#!/usr/bin/env node
/**
 * The executable: process-level wiring, then one run of the CLI. Kept apart from
 * program.ts so that tests can run command lines in-process, without these handlers.
 */
import { main } from './program.js';

// `microgpt … | head` closes the pipe early; that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
// A closed stderr (`train … 2>&1 | head -1`) must never abort work: progress and warnings are dropped.
process.stderr.on('error', () => {});

await main(process.argv);
