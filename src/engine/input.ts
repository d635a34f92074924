/** Token ids for a run, checked against the engine: text through its tokenizer, or ids exactly as given. */
import { MicrogptError } from '../errors.js';
import type { Engine } from './types.js';

/**
 * The ids to run: `ids` exactly as given (nothing prepended), or the text
 * through the model's tokenizer. Every id must be in the vocabulary and the
 * whole input within `room` positions (the context, less what generation needs).
 */
export function inputIds(
  engine: Engine,
  text: string | undefined,
  ids: readonly number[] | undefined,
  room = engine.info.context,
): number[] {
  let out: number[];
  if (ids !== undefined) out = [...ids];
  else {
    if (!engine.tokenizer)
      throw new MicrogptError(
        'MG085',
        `${engine.info.weightsFrom} has no tokenizer.json, so text cannot be turned into tokens; give token ids with --ids (e.g. --ids 50,1000,7)`,
      );
    out = engine.tokenizer.encode(text ?? '');
  }
  if (out.length === 0) throw new MicrogptError('MG086', 'the input has no tokens; give some text or --ids');
  const V = engine.info.vocab;
  const bad = out.find((id) => id >= V);
  if (bad !== undefined)
    throw new MicrogptError('MG086', `token id ${bad} is outside the vocabulary (ids 0..${V - 1})`);
  if (out.length > room)
    throw new MicrogptError(
      'MG086',
      `the input is ${out.length} tokens; this model takes at most ${room}${room < engine.info.context ? ` here (context ${engine.info.context})` : ''}`,
    );
  return out;
}

/** How people read a token: its text piece, or its id when there is no tokenizer. */
export const tokenLabel = (engine: Engine, id: number): string =>
  engine.tokenizer ? engine.tokenizer.label(id) : `#${id}`;
