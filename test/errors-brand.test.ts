/**
 * `instanceof` across two copies of promwire's error classes (src/errors.ts brandErrorClass).
 * Each module is loaded twice here: the `?copy` query makes Vite evaluate a second, separate
 * instance of the same file, as a process holding both the CommonJS and the ESM build does.
 * test/integration/package.test.ts checks the same with the built dist/index.cjs and dist/index.js.
 */
import { describe, expect, it } from 'vitest';
import { PromwireError } from '../src/errors.js';
import { HttpError } from '../src/toolkit/http.js';
import { NotUnderstoodError } from '../src/toolkit/remote-write-client.js';

type ErrorsModule = typeof import('../src/errors.js');
type HttpModule = typeof import('../src/toolkit/http.js');
type RwModule = typeof import('../src/toolkit/remote-write-client.js');

/** A second instance of a module (a specifier TypeScript does not resolve, hence the variable). */
const copy = (path: string): Promise<unknown> => import(/* @vite-ignore */ `${path}?copy`);
const other = {
  errors: (await copy('../src/errors.ts')) as ErrorsModule,
  http: (await copy('../src/toolkit/http.ts')) as HttpModule,
  rw: (await copy('../src/toolkit/remote-write-client.ts')) as RwModule,
};

function httpError(cls: typeof HttpError): HttpError {
  return new cls('HTTP_ERROR', 'GET http://127.0.0.1:1/ failed: 503', { status: 503, url: 'http://127.0.0.1:1/', method: 'GET' });
}

describe('error classes recognise the errors of another copy of promwire', () => {
  it('loads a second, distinct copy of each class', () => {
    expect(other.errors.PromwireError).not.toBe(PromwireError);
    expect(other.http.HttpError).not.toBe(HttpError);
    expect(other.rw.NotUnderstoodError).not.toBe(NotUnderstoodError);
  });

  it('PromwireError: both directions', () => {
    const mine = new PromwireError('INVALID_VALUE', 'expected a number');
    const theirs = new other.errors.PromwireError('INVALID_VALUE', 'expected a number');
    expect(theirs instanceof PromwireError).toBe(true);
    expect(mine instanceof other.errors.PromwireError).toBe(true);
    expect(theirs instanceof Error).toBe(true);
  });

  it('subclasses: an HttpError of either copy is a PromwireError and an HttpError of both', () => {
    const theirs = httpError(other.http.HttpError);
    const mine = httpError(HttpError);
    expect(theirs instanceof HttpError).toBe(true);
    expect(theirs instanceof PromwireError).toBe(true);
    expect(mine instanceof other.http.HttpError).toBe(true);
    expect(mine instanceof other.errors.PromwireError).toBe(true);
    const nu = new other.rw.NotUnderstoodError('HTTP_ERROR', 'not understood', { status: 204, url: 'u', method: 'POST' });
    expect(nu instanceof NotUnderstoodError).toBe(true);
    expect(nu instanceof HttpError).toBe(true);
    expect(nu instanceof PromwireError).toBe(true);
  });

  it('a brand is not a wildcard: a base-class error is not an instance of a subclass', () => {
    const base = new other.errors.PromwireError('TIMEOUT', 'timed out');
    expect(base instanceof HttpError).toBe(false);
    expect(httpError(HttpError) instanceof NotUnderstoodError).toBe(false);
    expect(httpError(other.http.HttpError) instanceof other.rw.NotUnderstoodError).toBe(false);
  });

  it('other values are not instances', () => {
    for (const v of [null, undefined, 0, 'PromwireError', {}, new Error('x'), { code: 'HTTP_ERROR', name: 'PromwireError' }]) {
      expect(v instanceof PromwireError).toBe(false);
      expect(v instanceof HttpError).toBe(false);
    }
  });

  it("a user's subclass without a brand keeps the ordinary check, and its errors are PromwireErrors", () => {
    class MyError extends PromwireError {}
    class TheirError extends other.errors.PromwireError {}
    const mine = new MyError('INVALID_ARGUMENT', 'bad');
    expect(mine instanceof MyError).toBe(true);
    expect(mine instanceof PromwireError).toBe(true);
    expect(mine instanceof other.errors.PromwireError).toBe(true);
    expect(new PromwireError('INVALID_ARGUMENT', 'bad') instanceof MyError).toBe(false);
    expect(mine instanceof TheirError).toBe(false);
  });

  it('the brand is invisible: not enumerable, not in JSON', () => {
    const e = new PromwireError('INVALID_VALUE', 'x');
    expect(Object.getOwnPropertySymbols(e)).toEqual([]);
    expect(Object.keys(Object.getPrototypeOf(e))).toEqual([]);
  });

  it('narrows in TypeScript as an ordinary instanceof does', () => {
    const e: unknown = httpError(other.http.HttpError);
    if (!(e instanceof HttpError)) throw new Error('expected an HttpError');
    // `e.status` type-checks only if the check narrowed `e` to HttpError (npm run typecheck).
    expect(e.status).toBe(503);
  });
});
