/** The images every container runs, pinned; the same tags as docker-compose.yml. */
export const IMAGES = {
  mysql: 'mysql:8.0',
  redis: 'redis:7.4',
  prometheus: 'prom/prometheus:v2.53.2',
  // 0.25: the version of Debian 12 that the kit's tests run, and whose Slack integration the Watchdog's route relies on (alertmanager.yml).
  alertmanager: 'prom/alertmanager:v0.25.0',
  grafana: 'grafana/grafana:11.2.0',
  nodeExporter: 'prom/node-exporter:v1.8.2',
  mysqldExporter: 'prom/mysqld-exporter:v0.15.1',
  redisExporter: 'oliver006/redis_exporter:v1.62.0',
  blackboxExporter: 'prom/blackbox-exporter:v0.25.0',
  loki: 'grafana/loki:3.7.6',
  alloy: 'grafana/alloy:v1.18.1',
} as const;
