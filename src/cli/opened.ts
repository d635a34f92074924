/**
 * The engines this command line opened, closed when it ends: their weights
 * leave the kernels' memory and their worker threads stop, so a command (or a
 * test running commands in-process) leaves nothing behind. Imported at
 * start-up, so it imports nothing.
 */
const opened = new Set<{ close(): void }>();

export function trackEngine<T extends { close(): void }>(engine: T): T {
  opened.add(engine);
  return engine;
}

export function closeOpenedEngines(): void {
  for (const e of opened) e.close();
  opened.clear();
}
