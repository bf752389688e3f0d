/**
 * The single error type promwire throws. A leaf module: it imports nothing.
 *
 * Parse errors carry the position in the payload (1-based line and column,
 * 0-based byte offset, columns counted in bytes) and a snippet of the line, so
 * that the person holding a 50 MB payload can find the problem. Errors that do
 * not come from a payload (invalid definitions, HTTP failures) have line,
 * column and offset 0.
 */
export type ErrorCode =
  // Parsing: syntax
  | 'UNEXPECTED_CHARACTER'
  | 'UNEXPECTED_END'
  | 'INVALID_METRIC_NAME'
  | 'INVALID_LABEL_NAME'
  | 'INVALID_LABEL_VALUE'
  | 'INVALID_ESCAPE'
  | 'INVALID_UTF8'
  | 'INVALID_VALUE'
  | 'INVALID_TIMESTAMP'
  | 'INVALID_EXEMPLAR'
  | 'INVALID_METADATA'
  | 'DUPLICATE_LABEL'
  | 'BLANK_LINE'
  // Parsing: protobuf wire format (a malformed varint, tag, wire type or length)
  | 'INVALID_PROTOBUF'
  // Parsing: OpenMetrics structure
  | 'MISSING_EOF'
  | 'CONTENT_AFTER_EOF'
  | 'DUPLICATE_METADATA'
  | 'INTERLEAVED_FAMILY'
  | 'UNEXPECTED_SAMPLE'
  | 'INVALID_FAMILY'
  | 'DUPLICATE_SERIES'
  // Limits (Prometheus scrape_config: body_size_limit, label_limit, ...)
  | 'LIMIT_EXCEEDED'
  // Compression: a malformed snappy block (remote write bodies)
  | 'INVALID_SNAPPY'
  // Definition time (encoder, MetricSet)
  | 'INVALID_NAME'
  | 'RESERVED_LABEL'
  | 'INVALID_BUCKETS'
  | 'LABEL_MISMATCH'
  | 'INVALID_ARGUMENT'
  // MetricSet collect callbacks: one returned a Promise on a sync read; some threw or rejected
  | 'ASYNC_COLLECT'
  | 'COLLECT_FAILED'
  // Toolkit
  | 'HTTP_ERROR'
  | 'TIMEOUT'
  | 'MERGE_CONFLICT';

export interface ErrorPosition {
  /** 1-based line number; 0 when the error is not tied to a payload. */
  line: number;
  /** 1-based column, in bytes; 0 when the error is not tied to a payload. */
  column: number;
  /** 0-based byte offset into the whole payload; 0 when not tied to a payload. */
  offset: number;
  /** The offending line (or a window of it), for the message. */
  snippet?: string;
  /** Column (0-based, in bytes) at which the snippet starts within its line. */
  snippetStart?: number;
}

/**
 * `instanceof` across copies of promwire. One process can hold two copies of the error classes:
 * the CommonJS build (dist/index.cjs) and the ESM build (dist/index.js) when one dependency
 * `require`s promwire and another imports it (Node's dual-package hazard), or two installed
 * copies. An error class branded with {@link brandErrorClass} answers `instanceof` by a brand
 * registered with `Symbol.for` (the same symbol in every copy), which its prototype carries, so
 * an error from either copy is an instance of the class from the other.
 */
const BRAND_OF_CLASS = Symbol.for('promwire.errorClassBrand');

interface Branded {
  [BRAND_OF_CLASS]?: symbol;
}

/**
 * Brands one public error class (called once, after the class): its instances, and
 * those of its subclasses, are `instanceof` it in every copy of promwire. `name` is the class's
 * public name; it must not change between releases that should recognise each other's errors.
 */
export function brandErrorClass(cls: abstract new (...args: never[]) => Error, name: string): void {
  const brand = Symbol.for(`promwire.${name}`);
  Object.defineProperty(cls, BRAND_OF_CLASS, { value: brand });
  Object.defineProperty(cls.prototype, brand, { value: true });
}

/** The `instanceof` of a branded class: the brand if the class has one of its own, else the prototype chain. */
function isInstance(cls: abstract new (...args: never[]) => unknown, value: unknown): boolean {
  const brand = Object.hasOwn(cls, BRAND_OF_CLASS) ? (cls as Branded)[BRAND_OF_CLASS] : undefined;
  // A subclass without a brand of its own (a user's `class MyError extends PromwireError`)
  // keeps the ordinary check.
  if (brand === undefined) return Function.prototype[Symbol.hasInstance].call(cls, value);
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

export class PromwireError extends Error {
  /** `instanceof` that also recognises errors from the other build (CommonJS or ESM) of promwire. */
  static override [Symbol.hasInstance]<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of `instanceof` (HttpError inherits this method).
    return isInstance(this, value);
  }

  override readonly name = 'PromwireError';
  readonly code: ErrorCode;
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  /** The limit that was exceeded, for `LIMIT_EXCEEDED` (e.g. `maxLineLength`). */
  readonly limit: string | undefined;
  /** The bare reason, without position and snippet. */
  readonly reason: string;

  constructor(code: ErrorCode, reason: string, position?: ErrorPosition, limit?: string) {
    super(formatMessage(reason, position));
    this.code = code;
    this.reason = reason;
    this.line = position?.line ?? 0;
    this.column = position?.column ?? 0;
    this.offset = position?.offset ?? 0;
    this.limit = limit;
  }
}
// After the class, not in a static block: a class body that names its class makes esbuild rename it (`class _PromwireError`).
brandErrorClass(PromwireError, 'PromwireError');

function formatMessage(reason: string, position?: ErrorPosition): string {
  if (position === undefined || position.line === 0) return reason;
  let msg = `${reason} at line ${position.line} column ${position.column}`;
  if (position.snippet !== undefined) {
    msg += `\n  ${position.snippet}\n  ${' '.repeat(Math.max(0, position.column - 1 - (position.snippetStart ?? 0)))}^`;
  }
  return msg;
}
