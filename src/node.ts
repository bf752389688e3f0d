/**
 * promwire/node: the Node toolkit (node:http handler, scrape client,
 * Pushgateway client), plus everything the runtime-neutral core exports, so
 * that one import gives both (and errors thrown here are the same
 * `PromwireError` class that this entry exports).
 */

export * from './index.js';

// Exposition handler (node:http, Express, Fastify via reply.raw)
export { createNodeHandler } from './toolkit/handler.js';
export type { NodeHandler } from './toolkit/handler.js';

// Default process and Node runtime metrics (prom-client's collectDefaultMetrics)
export { collectDefaultMetrics } from './toolkit/default-metrics.js';
export type { DefaultMetrics, DefaultMetricsOptions } from './toolkit/default-metrics.js';

// node:cluster and worker_threads: workers answer the primary, which serves one merged body
export { ClusterAggregator, DEFAULT_PER_WORKER, serveToPrimary } from './toolkit/cluster.js';
export type { AggregatedWorker, ClusterAggregatorOptions, ServeToPrimaryOptions, WorkerMetrics } from './toolkit/cluster.js';

// Scrape client
export { scrape, scrapeEach, scrapeProtocol } from './toolkit/scrape.js';
export type { ScrapeOptions, ScrapeResult } from './toolkit/scrape.js';

// Pushgateway client
export { Pusher, expandJobTemplate, push, pushgatewayUrl, startPusher } from './toolkit/push.js';
export type { PushBody, PushMethod, PushOptions, PushResult, PusherOptions } from './toolkit/push.js';

// Remote write: client, periodic writer, node:http receiver
export { NotUnderstoodError, remoteWrite } from './toolkit/remote-write-client.js';
export type { RemoteWriteData, RemoteWriteOptions, RemoteWriteResult } from './toolkit/remote-write-client.js';
export { RemoteWriter, startRemoteWriter } from './toolkit/remote-write-writer.js';
export type { RemoteWriteDrop, RemoteWriterOptions, RemoteWriterStats } from './toolkit/remote-write-writer.js';
export { createRemoteWriteHandler } from './toolkit/remote-write-handler.js';
export type { RemoteWriteNodeHandler } from './toolkit/remote-write-handler.js';

// HTTP errors of the clients
export { HttpError } from './toolkit/http.js';
export type { BasicAuth, ProxyOption, TlsOptions } from './toolkit/http.js';
