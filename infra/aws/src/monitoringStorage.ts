/**
 * How much disk the monitoring host's Prometheus needs. The SLO panels and the error budget look back 30
 * days, and a 30-day window needs its whole month on disk plus the blocks being compacted.
 */
export const PROMETHEUS_RETENTION_DAYS = 40;
export const SCRAPE_INTERVAL_SECONDS = 15;

/** Series one app server exposes: the app's histograms by route and status, and node_exporter's host metrics. */
export const SERIES_PER_APP_SERVER = 4000;
/** Series of everything scraped once: the database and Redis exporters, blackbox, Prometheus, Alertmanager, the host's own node_exporter. */
export const SERIES_OF_SHARED_TARGETS = 5000;
/** Prometheus's own figure for a compressed sample is 1 to 2 bytes; the upper one leaves room for label churn. */
const BYTES_PER_SAMPLE = 2;
/** The write-ahead log and a compaction in progress hold about as much again as the blocks they become. */
const HEADROOM = 2;
const MIN_VOLUME_GB = 20;

/** GiB for PROMETHEUS_RETENTION_DAYS of samples from a fleet at its largest (maxSize servers), never under 20. */
export function prometheusVolumeSizeGb(maxServers: number): number {
  const series = maxServers * SERIES_PER_APP_SERVER + SERIES_OF_SHARED_TARGETS;
  const samples = (series / SCRAPE_INTERVAL_SECONDS) * 86_400 * PROMETHEUS_RETENTION_DAYS;
  const gib = (samples * BYTES_PER_SAMPLE * HEADROOM) / 1024 ** 3;
  return Math.max(MIN_VOLUME_GB, Math.ceil(gib / 10) * 10);
}
