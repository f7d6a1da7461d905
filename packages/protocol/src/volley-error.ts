import { ErrorCode } from './codes.js';

/** Options of {@link VolleyError}. */
export interface VolleyErrorOptions {
  /** Data that explains the error, e.g. the peer's error for `MESSAGE_REJECTED`. */
  payload?: unknown;
  /** The error that caused this one. */
  cause?: unknown;
}

/**
 * The one error class of Volley. Every failure a user can see is a `VolleyError` with a
 * {@link ErrorCode} in `code`.
 *
 * @example
 * try {
 *   await client.send('sum', { a: 1, b: 2 });
 * } catch (err) {
 *   if (err instanceof VolleyError && err.code === ErrorCode.MESSAGE_REJECTED) {
 *     console.log('server said no:', err.payload);
 *   }
 * }
 */
export class VolleyError extends Error {
  /** What went wrong, one of {@link ErrorCode}. */
  readonly code: ErrorCode;
  /** Data that explains the error (e.g. the peer's serialised error). */
  readonly payload: unknown;

  constructor(code: ErrorCode, message: string, options: VolleyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VolleyError';
    this.code = code;
    this.payload = options.payload;
  }
}

/** Turns any thrown value into a {@link VolleyError}, keeping a VolleyError as it is. */
export function toVolleyError(value: unknown, code: ErrorCode = ErrorCode.INTERNAL_ERROR): VolleyError {
  if (value instanceof VolleyError) return value;
  const message = value instanceof Error ? value.message : safeString(value);
  return new VolleyError(code, message, { cause: value });
}

/** `String(value)`, except that it never throws (`Object.create(null)` has no `toString`). */
function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The wire form of an error: `{ name, message, ...extra }`, or a plain string. */
export type WireError = { name: string; message: string; [key: string]: unknown } | string;

/**
 * Serialises a rejection reason for the `e` key: an `Error` becomes `{name, message}` plus its
 * own enumerable properties (e.g. `code`, `payload`), a string stays a string, a plain object is
 * sent as it is, anything else becomes an `Error`-shaped object.
 */
export function serializeError(reason: unknown): WireError {
  if (typeof reason === 'string') return reason;
  if (reason instanceof Error) {
    // Own enumerable props first so that `name`/`message` (non-enumerable on Error) win.
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(reason)) {
      const value = (reason as unknown as Record<string, unknown>)[key];
      if (key !== 'cause' && typeof value !== 'function') out[key] = value;
    }
    out.name = reason.name;
    out.message = reason.message;
    return out as WireError;
  }
  if (reason !== null && typeof reason === 'object' && !Array.isArray(reason)) {
    const obj = reason as Record<string, unknown>;
    return {
      ...obj,
      name: typeof obj.name === 'string' ? obj.name : 'Error',
      message: typeof obj.message === 'string' ? obj.message : '',
    };
  }
  return { name: 'Error', message: reason === undefined ? '' : String(reason) };
}

/** Human-readable text of a wire error, for error messages. */
export function wireErrorMessage(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error !== null && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return 'rejected';
}
