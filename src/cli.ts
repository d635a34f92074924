#!/usr/bin/env node
/**
 * The executable: process-level wiring, then one run of the CLI. Kept apart from
 * program.ts so that tests can run command lines in-process, without these handlers.
 */
import { main } from './program.js';
import { stdoutErrorExit } from './cli/stdout-error.js';

// `microgpt … | head` closes the pipe early (exit 0); a full disk is one error line and exit 74.
process.stdout.on('error', (e: NodeJS.ErrnoException) => process.exit(stdoutErrorExit(e)));
// A closed stderr (`train … 2>&1 | head -1`) must never abort work: progress and warnings are dropped.
process.stderr.on('error', () => {});

await main(process.argv);
