import { delimiter } from 'node:path';

/** Extra contract folders: MICROGPT_CONTRACTS (separated like PATH), then each --contracts DIR. */
export function extraContractDirs(flags: readonly string[] = []): string[] {
  const env = process.env.MICROGPT_CONTRACTS;
  return [...(env ? env.split(delimiter).filter(Boolean) : []), ...flags];
}
