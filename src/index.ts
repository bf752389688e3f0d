/**
 * promwire: the runtime-neutral core (Node, Deno, Bun, browsers).
 * Node-only parts (http handler, scrape and push clients) live in `promwire/node`.
 */

// Data model and errors
export type { Exemplar, Format, Labels, MetricFamily, MetricType, Sample } from './model.js';
export { METRIC_TYPES } from './model.js';
export { PromwireError } from './errors.js';
export type { ErrorCode, ErrorPosition } from './errors.js';

// Numbers and escaping
export { formatFloat, formatMillisAsSeconds } from './core/number.js';
export { escapeHelp, escapeLabelValue } from './core/escape.js';

// Parsing
export { detectFormat } from './parse/detect.js';
export { DEFAULT_LIMITS } from './parse/options.js';
export type { Limits, ParserOptions } from './parse/options.js';
export { Entry, Parser, entryName } from './parse/parser.js';
export { FamilyBuilder, parse } from './parse/families.js';
export { parseStream } from './parse/stream.js';
export type { StreamSource } from './parse/stream.js';

// Toolkit: merge and lint
export { merge } from './toolkit/merge.js';
export type { FamilySelector, MergeInput, MergeMode, MergeOptions } from './toolkit/merge.js';
export { formatFindings, lint } from './toolkit/lint.js';
export type { LintFinding, LintOptions } from './toolkit/lint.js';

// Exposition handler, fetch-style (Hono, Bun, Deno, Workers); the node:http one is in promwire/node
export { createFetchHandler } from './toolkit/fetch-handler.js';
export type { FetchHandler } from './toolkit/fetch-handler.js';
export type { BasicAuthCheck, CollectContext, Collectable, HandlerOptions } from './toolkit/exposition.js';
