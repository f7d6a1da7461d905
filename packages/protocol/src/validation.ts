import Ajv from 'ajv';
import type { Frame } from './frame.js';
import { MAX_ID_LENGTH } from './frame.js';
import type { FrameValidator } from './codec.js';

/**
 * The JSON schema of the version-1 envelope. The only module that imports ajv; the browser build
 * of the client never loads it (it uses the equivalent `isFrame`).
 */
export const frameSchema = {
  type: 'object',
  required: ['n'],
  properties: {
    n: { type: 'string', minLength: 1 },
    i: { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH },
    e: { type: ['object', 'string', 'null'] },
  },
} as const;

let compiled: FrameValidator | undefined;

/**
 * The ajv validator of inbound frames, compiled once per process on first use and shared.
 *
 * @example
 * const validate = createFrameValidator();
 * decodeFrame(text, validate);
 */
export function createFrameValidator(): FrameValidator {
  if (compiled === undefined) {
    const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
    const check = ajv.compile<Frame>(frameSchema);
    compiled = (value: unknown): value is Frame => check(value);
  }
  return compiled;
}

