/**
 * The HTTP side of Prometheus remote write, shared by the client, the
 * periodic writer and the receivers: content types, headers, the written
 * counts of 2.0. Runtime-neutral.
 *
 * Sources: prometheus/docs `docs/specs/prw/remote_write_spec.md` (1.0) and
 * `remote_write_spec_2_0.md` (2.0); prometheus/prometheus 3.5
 * `storage/remote/client.go`, `stats.go`, `write_handler.go`.
 */
import type { RemoteWriteVersion } from '../remote-write/index.js';

export type { RemoteWriteVersion };

/** The protobuf message names of the `proto` content-type parameter (2.0 spec, "Content-Type"). */
export const PROTO_MSG_V1 = 'prometheus.WriteRequest';
export const PROTO_MSG_V2 = 'io.prometheus.write.v2.Request';

/** The media type of both versions; 1.0 sends it bare (1.0 spec, "Protocol"). */
export const CONTENT_TYPE_REMOTE_WRITE = 'application/x-protobuf';

/** `Content-Type` per version, spelled as Prometheus 3.5 sends it (client.go `remoteWriteContentTypeHeaders`). */
export const REMOTE_WRITE_CONTENT_TYPES: Readonly<Record<RemoteWriteVersion, string>> = {
  '1.0': CONTENT_TYPE_REMOTE_WRITE,
  '2.0': `${CONTENT_TYPE_REMOTE_WRITE};proto=${PROTO_MSG_V2}`,
};

/** `X-Prometheus-Remote-Write-Version` per version (client.go `RemoteWriteVersion1HeaderValue`, `RemoteWriteVersion20HeaderValue`). */
export const REMOTE_WRITE_VERSION_HEADER = 'x-prometheus-remote-write-version';
export const REMOTE_WRITE_VERSION_VALUES: Readonly<Record<RemoteWriteVersion, string>> = { '1.0': '0.1.0', '2.0': '2.0.0' };

/** The 2.0 response headers (2.0 spec, "Required Written Response Headers"; stats.go). */
export const WRITTEN_SAMPLES_HEADER = 'x-prometheus-remote-write-samples-written';
export const WRITTEN_HISTOGRAMS_HEADER = 'x-prometheus-remote-write-histograms-written';
export const WRITTEN_EXEMPLARS_HEADER = 'x-prometheus-remote-write-exemplars-written';

/** What a request carries, or what a receiver wrote. */
export interface WriteCounts {
  /** Float samples. */
  samples: number;
  /** Native-histogram samples. */
  histograms: number;
  exemplars: number;
}

/** The three written-count headers for a receiver's answer (stats.go `SetHeaders`: always all three). */
export function writtenHeaders(c: WriteCounts): Record<string, string> {
  return {
    [WRITTEN_SAMPLES_HEADER]: String(c.samples),
    [WRITTEN_HISTOGRAMS_HEADER]: String(c.histograms),
    [WRITTEN_EXEMPLARS_HEADER]: String(c.exemplars),
  };
}

/**
 * Reads the written counts of a 2.0 answer. Undefined when none of the three
 * headers is present: the receiver did not confirm anything, which for a 2xx
 * means it does not speak 2.0 (stats.go `ParseWriteResponseStats`, field
 * `Confirmed`). A missing header among present ones counts 0, as the spec
 * says; a value that is not a non-negative integer is an error message.
 */
export function parseWrittenHeaders(get: (name: string) => string | undefined): WriteCounts | string | undefined {
  const names = [WRITTEN_SAMPLES_HEADER, WRITTEN_HISTOGRAMS_HEADER, WRITTEN_EXEMPLARS_HEADER] as const;
  const values: number[] = [];
  let confirmed = false;
  for (const name of names) {
    const raw = get(name);
    if (raw === undefined || raw.trim() === '') {
      values.push(0);
      continue;
    }
    confirmed = true;
    if (!/^\d+$/.test(raw.trim())) return `expected header ${name} to be a non-negative integer, got "${raw}"`;
    values.push(Number(raw.trim()));
  }
  if (!confirmed) return undefined;
  return { samples: values[0]!, histograms: values[1]!, exemplars: values[2]! };
}

/**
 * Which message a request's `Content-Type` names, as Prometheus 3.5's
 * `writeHandler.parseProtoMsg` reads it: the media type must be
 * `application/x-protobuf`; a `proto` parameter names the message; none means
 * 1.0 (2.0 spec: "if no proto parameter is given, the receiver must assume
 * prometheus.WriteRequest"). An empty header also means 1.0 (write_handler.go:
 * "Don't break yolo 1.0 clients"). Returns the version, or the reason to refuse
 * with 415.
 */
export function remoteWriteVersionOf(contentType: string | undefined): RemoteWriteVersion | { unsupported: string } {
  const ct = (contentType ?? '').trim();
  if (ct === '') return '1.0';
  const parts = ct.split(';');
  const media = parts[0]!.trim().toLowerCase();
  if (media !== CONTENT_TYPE_REMOTE_WRITE) {
    return { unsupported: `expected ${CONTENT_TYPE_REMOTE_WRITE} as the media type, got Content-Type "${ct}"` };
  }
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    if (eq < 0) return { unsupported: `expected key=value parameters (RFC 9110 section 5.6.6), got "${p.trim()}" in Content-Type "${ct}"` };
    if (p.slice(0, eq).trim().toLowerCase() !== 'proto') continue;
    const msg = p
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (msg === PROTO_MSG_V1) return '1.0';
    if (msg === PROTO_MSG_V2) return '2.0';
    return { unsupported: `unknown remote-write message type "${msg}" (expected ${PROTO_MSG_V1} or ${PROTO_MSG_V2})` };
  }
  return '1.0';
}
