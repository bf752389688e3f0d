import type { Format } from '../model/index.js';

/**
 * Decides the format of a payload.
 *
 * From a Content-Type: `application/openmetrics-text` is OpenMetrics (any
 * version); `application/vnd.google.protobuf` is the protobuf exposition
 * (`proto=io.prometheus.client.MetricFamily; encoding=delimited`): like
 * Prometheus 3.5 (textparse extractMediaType), the media type decides and
 * the parameters are not read; anything else (`text/plain; version=0.0.4`,
 * missing version) is text 0.0.4, as Prometheus' scrape does for every
 * non-OpenMetrics, non-protobuf media type.
 *
 * From the bytes: an OpenMetrics exposition must end with `# EOF` (optionally
 * followed by a line feed); a text 0.0.4 payload has no reason to. Protobuf
 * is never guessed from bytes (a text payload can read as a valid frame):
 * without a Content-Type, pass `format: 'protobuf'`.
 */
export function detectFormat(contentType?: string, bytes?: Uint8Array): Format {
  if (contentType !== undefined && contentType !== '') {
    const mediaType = contentType.split(';', 1)[0]!.trim().toLowerCase();
    if (mediaType === 'application/vnd.google.protobuf') return 'protobuf';
    return mediaType === 'application/openmetrics-text' ? 'openmetrics' : 'text';
  }
  if (bytes !== undefined) return endsWithEof(bytes) ? 'openmetrics' : 'text';
  return 'text';
}

const EOF_LINE = [0x23, 0x20, 0x45, 0x4f, 0x46]; // "# EOF"

function endsWithEof(b: Uint8Array): boolean {
  let end = b.length;
  if (end > 0 && b[end - 1] === 0x0a) end--;
  const start = end - EOF_LINE.length;
  if (start < 0) return false;
  if (start > 0 && b[start - 1] !== 0x0a) return false;
  for (let i = 0; i < EOF_LINE.length; i++) if (b[start + i] !== EOF_LINE[i]) return false;
  return true;
}
