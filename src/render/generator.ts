/**
 * The mark in the head of every HTML page microgpt writes. An existing file
 * that carries it is a report of ours, replaced without --force so that
 * re-running a command just works; any other existing file needs --force.
 */
export const GENERATOR_META = '<meta name="generator" content="microgpt">';
