import { clip } from '../clip.js';
import { safe } from './escape.js';

/** A string from a file as text shows it: escaped, and cut with its length said when long (JSON keeps it whole). */
export const shown = (text: string, max?: number): string => safe(clip(text, max));
