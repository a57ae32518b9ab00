#!/usr/bin/env bash
# Starts Prometheus, Alertmanager and node_exporter (Debian's packages) in the background on loopback,
# scraping a TodoBox app that already runs on this machine, with the repository's alert and recording
# rules. Stop them with scripts/monitoring-down.sh.
set -euo pipefail

repo_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rules_dir="$repo_dir/monitoring/prometheus/rules"
production_alertmanager_config="$repo_dir/monitoring/alertmanager/alertmanager.yml"
production_prometheus_config="$repo_dir/monitoring/prometheus/prometheus.yml"

app_url="http://127.0.0.1:9191"
data_dir="./monitoring-data"
env_file="./.env"
prometheus_port=9090
alertmanager_port=9093
node_exporter_port=9100
wait_seconds=60

usage() {
  cat <<'END'
Usage: bash scripts/monitoring-up.sh [options]

Starts, in the background and on 127.0.0.1 only:
  Prometheus      with monitoring/prometheus/rules/*.yml, scraping the app (job todobox),
                  node_exporter (job node) and itself (job prometheus)
  Alertmanager    with the routing and inhibition of monitoring/alertmanager/alertmanager.yml,
                  but receivers that send nothing: alerts are only listed in its web page
  node_exporter   host metrics, and the textfile collector in BACKUP_METRICS_DIR when that is set
                  (where `todobox backup` writes todobox_backup_last_success_timestamp_seconds)
then waits until Prometheus has scraped the app, and prints the addresses.

The app must already run with METRICS_TOKEN or METRICS_PORT set; this script reads the same
variable from the environment, or else from the .env file (the environment wins, as in the app).
With METRICS_TOKEN, Prometheus scrapes <app URL>/metrics with it as a bearer token (kept in a
file of the data folder, mode 0600); with only METRICS_PORT, it scrapes
METRICS_BIND_ADDRESS:METRICS_PORT without a token.

Options:
  --app URL                   the app's base URL (default http://127.0.0.1:9191)
  --data-dir DIR              configuration, data, logs and pid files (default ./monitoring-data)
  --env-file FILE             where to read METRICS_* when not in the environment (default ./.env)
  --prometheus-port PORT      default 9090
  --alertmanager-port PORT    default 9093
  --node-exporter-port PORT   default 9100
  --wait SECONDS              how long to wait for the first successful scrape (default 60)
  -h, --help                  this text

Stop everything with: bash scripts/monitoring-down.sh [--data-dir DIR]

Grafana is not packaged for Debian. Where Docker is available, the dashboards come up with
`docker compose up -d prometheus alertmanager grafana` (see README, "Operating TodoBox"); the
JSON files in monitoring/grafana/dashboards/ can also be imported by hand into any Grafana with a
Prometheus data source pointing at this Prometheus.
END
}

fail() {
  echo "monitoring-up: $*" >&2
  exit 1
}

need_value() {
  if [ $# -lt 2 ] || [ -z "$2" ]; then fail "$1 needs a value (see --help)"; fi
}

while [ $# -gt 0 ]; do
  case "$1" in
    --app) need_value "$@"; app_url="${2%/}"; shift 2 ;;
    --data-dir) need_value "$@"; data_dir="$2"; shift 2 ;;
    --env-file) need_value "$@"; env_file="$2"; shift 2 ;;
    --prometheus-port) need_value "$@"; prometheus_port="$2"; shift 2 ;;
    --alertmanager-port) need_value "$@"; alertmanager_port="$2"; shift 2 ;;
    --node-exporter-port) need_value "$@"; node_exporter_port="$2"; shift 2 ;;
    --wait) need_value "$@"; wait_seconds="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) fail "unknown option $1 (see --help)" ;;
  esac
done

for port in "$prometheus_port" "$alertmanager_port" "$node_exporter_port" "$wait_seconds"; do
  [[ "$port" =~ ^[0-9]+$ ]] || fail "'$port' is not a number"
done
[[ "$app_url" =~ ^https?://[^/]+$ ]] || fail "--app takes a base URL such as http://127.0.0.1:9191, not '$app_url'"

for program in prometheus prometheus-alertmanager prometheus-node-exporter promtool curl; do
  command -v "$program" >/dev/null ||
    fail "$program is not installed (sudo apt-get install prometheus prometheus-alertmanager prometheus-node-exporter curl)"
done

# The value of KEY from the environment, else from the env file (KEY=value, optionally quoted).
# The file is read, never sourced: it is configuration, not a script.
setting() {
  local key="$1"
  if [ -n "${!key:-}" ]; then
    printf '%s' "${!key}"
  elif [ -f "$env_file" ]; then
    sed -n "s/^[[:space:]]*${key}[[:space:]]*=[[:space:]]*//p" "$env_file" | tail -n 1 |
      sed -e 's/[[:space:]]*$//' -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'$/\1/"
  fi
}

metrics_token="$(setting METRICS_TOKEN)"
metrics_port="$(setting METRICS_PORT)"
metrics_bind_address="$(setting METRICS_BIND_ADDRESS)"
backup_metrics_dir="$(setting BACKUP_METRICS_DIR)"

mkdir -p "$data_dir"
data_dir="$(cd "$data_dir" && pwd)"

if [ -n "$metrics_token" ]; then
  scrape_url="$app_url/metrics"
elif [ -n "$metrics_port" ]; then
  case "${metrics_bind_address:-127.0.0.1}" in
    0.0.0.0 | ::) metrics_host=127.0.0.1 ;;
    *) metrics_host="${metrics_bind_address:-127.0.0.1}" ;;
  esac
  scrape_url="http://$metrics_host:$metrics_port/metrics"
else
  fail "neither METRICS_TOKEN nor METRICS_PORT is set (environment or $env_file): start the app with one of them and set the same here, e.g. METRICS_TOKEN=\$(openssl rand -hex 32)"
fi
scrape_scheme="${scrape_url%%://*}"
scrape_rest="${scrape_url#*://}"
scrape_address="${scrape_rest%%/*}"

pid_file() { printf '%s/%s.pid' "$data_dir" "$1"; }

for name in prometheus alertmanager node_exporter; do
  if [ -f "$(pid_file "$name")" ] && kill -0 "$(cat "$(pid_file "$name")")" 2>/dev/null; then
    fail "$name from $data_dir is already running: stop it first with bash scripts/monitoring-down.sh --data-dir $data_dir"
  fi
done

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$prometheus_port" "$alertmanager_port" "$node_exporter_port"; do
  ! port_taken "$port" || fail "127.0.0.1:$port is already in use: pick another with --prometheus-port, --alertmanager-port or --node-exporter-port"
done

# Asks the app directly first: its answer says more than Prometheus's scrape error would.
status_args=(--silent --output /dev/null --write-out '%{http_code}' --max-time 5)
if [ -n "$metrics_token" ]; then
  token_header="$data_dir/.metrics-authorization-header"
  (umask 077 && printf 'Authorization: Bearer %s\n' "$metrics_token" >"$token_header")
  status_args+=(--header "@$token_header")
fi
status="$(curl "${status_args[@]}" "$scrape_url" || true)"
rm -f "${token_header:-}"
case "$status" in
  200) ;;
  000) fail "nothing answers at $scrape_url: start the app first (npm start), or pass its address with --app" ;;
  401) fail "$scrape_url answered 401: the METRICS_TOKEN given here differs from the app's" ;;
  404) fail "$scrape_url answered 404: the app runs without metrics there; start it with METRICS_TOKEN (or METRICS_PORT) set" ;;
  *) fail "$scrape_url answered HTTP $status instead of the metrics" ;;
esac

mkdir -p "$data_dir/prometheus" "$data_dir/alertmanager" "$data_dir/logs"
textfile_dir="${backup_metrics_dir:-$data_dir/textfile}"
mkdir -p "$textfile_dir"

todobox_authorization=""
if [ -n "$metrics_token" ]; then
  (umask 077 && printf '%s' "$metrics_token" >"$data_dir/metrics-token")
  todobox_authorization="    authorization:
      credentials_file: '$data_dir/metrics-token'"
fi

# The alerts' runbook links follow the production config's base, so changing it there changes it here too.
runbook_base_url="$(awk '$1 == "runbook_base_url:" { print $2; exit }' "$production_prometheus_config")"
[ -n "$runbook_base_url" ] || fail "$production_prometheus_config sets no external label runbook_base_url"

# The production prometheus.yml's intervals, external labels and job names, with this machine's
# addresses. There is no mysqld, redis or blackbox job: their exporters are not started here.
cat >"$data_dir/prometheus.yml" <<END
# Written by scripts/monitoring-up.sh; rewritten at every start.
global:
  scrape_interval: 15s
  scrape_timeout: 10s
  evaluation_interval: 30s
  external_labels:
    runbook_base_url: '$runbook_base_url'

rule_files:
  - '$rules_dir/*.yml'

alerting:
  alertmanagers:
    - static_configs:
        - targets: ['127.0.0.1:$alertmanager_port']

scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['127.0.0.1:$prometheus_port']
  - job_name: todobox
    scheme: $scrape_scheme
    metrics_path: /metrics
$todobox_authorization
    static_configs:
      - targets: ['$scrape_address']
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$node_exporter_port']
END

# The production routing tree and inhibition rules, copied from the repository's file, with every
# receiver present but without an integration, so nothing leaves this machine.
top_level_block() {
  awk -v key="$1" '/^[a-z_]+:/ { inside = ($0 ~ "^" key ":") } inside' "$production_alertmanager_config"
}
{
  echo "# Written by scripts/monitoring-up.sh from monitoring/alertmanager/alertmanager.yml; rewritten at every start."
  top_level_block route
  top_level_block inhibit_rules
  echo "receivers:"
  awk '/^[a-z_]+:/ { inside = ($0 ~ /^receivers:/) } inside && /^  - name: / { print "  - name: " $3 }' "$production_alertmanager_config"
} >"$data_dir/alertmanager.yml"

promtool check config "$data_dir/prometheus.yml" >"$data_dir/logs/promtool.log" 2>&1 ||
  fail "the generated $data_dir/prometheus.yml does not check: $(cat "$data_dir/logs/promtool.log")"

started=()
stop_started() {
  for name in "${started[@]}"; do
    kill "$(cat "$(pid_file "$name")")" 2>/dev/null || true
    rm -f "$(pid_file "$name")"
  done
}
trap 'stop_started' EXIT

# Runs a program detached from this shell (no terminal, output to its log) and records its pid.
start() {
  local name="$1"
  shift
  nohup "$@" </dev/null >"$data_dir/logs/$name.log" 2>&1 &
  echo $! >"$(pid_file "$name")"
  started+=("$name")
}

start node_exporter prometheus-node-exporter \
  --web.listen-address="127.0.0.1:$node_exporter_port" \
  --collector.textfile.directory="$textfile_dir"

start alertmanager prometheus-alertmanager \
  --config.file="$data_dir/alertmanager.yml" \
  --storage.path="$data_dir/alertmanager" \
  --web.listen-address="127.0.0.1:$alertmanager_port" \
  --cluster.listen-address=

start prometheus prometheus \
  --config.file="$data_dir/prometheus.yml" \
  --storage.tsdb.path="$data_dir/prometheus" \
  --storage.tsdb.retention.time=40d \
  --web.enable-remote-write-receiver \
  --web.listen-address="127.0.0.1:$prometheus_port"

prometheus_url="http://127.0.0.1:$prometheus_port"
alertmanager_url="http://127.0.0.1:$alertmanager_port"

still_running() {
  local name="$1"
  kill -0 "$(cat "$(pid_file "$name")")" 2>/dev/null ||
    fail "$name exited; the end of $data_dir/logs/$name.log:
$(tail -n 20 "$data_dir/logs/$name.log")"
}

wait_until() {
  local what="$1"
  shift
  local deadline=$((SECONDS + wait_seconds))
  until "$@"; do
    for name in "${started[@]}"; do still_running "$name"; done
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 1
  done
  echo "monitoring-up: $what"
}

answers() { curl --silent --fail --max-time 2 --output /dev/null "$1"; }
todobox_up() {
  promtool query instant "$prometheus_url" 'up{job="todobox"} == 1' 2>/dev/null | grep -q '=> 1'
}

wait_until "node_exporter is ready" answers "http://127.0.0.1:$node_exporter_port/metrics" ||
  fail "node_exporter did not answer within $wait_seconds s (see $data_dir/logs/node_exporter.log)"
wait_until "Alertmanager is ready" answers "$alertmanager_url/-/ready" ||
  fail "Alertmanager did not become ready within $wait_seconds s (see $data_dir/logs/alertmanager.log)"
wait_until "Prometheus is ready" answers "$prometheus_url/-/ready" ||
  fail "Prometheus did not become ready within $wait_seconds s (see $data_dir/logs/prometheus.log)"
if ! wait_until "Prometheus scrapes the app ($scrape_url)" todobox_up; then
  last_error="$(curl --silent --max-time 5 "$prometheus_url/api/v1/targets?state=active" |
    grep -o '"scrapePool":"todobox"[^}]*"lastError":"[^"]*"' | sed 's/.*"lastError":"\([^"]*\)"/\1/' || true)"
  case "$last_error" in
    *401*) reason="401 Unauthorized: the app's METRICS_TOKEN changed since this script checked it" ;;
    *404*) reason="404 Not Found: the app no longer serves metrics at $scrape_url" ;;
    *refused*) reason="connection refused: the app stopped" ;;
    "") reason="no scrape has finished yet" ;;
    *) reason="$last_error" ;;
  esac
  fail "Prometheus has not scraped the app within $wait_seconds s: $reason"
fi

trap - EXIT
cat <<END

Prometheus     $prometheus_url  (alerts: $prometheus_url/alerts, targets: $prometheus_url/targets)
Alertmanager   $alertmanager_url  (receivers send nothing; alerts are listed here)
node_exporter  http://127.0.0.1:$node_exporter_port/metrics
Scraping       $scrape_url
Data and logs  $data_dir

Dashboards: Grafana is not packaged for Debian; import monitoring/grafana/dashboards/*.json into any
Grafana with a Prometheus data source at $prometheus_url, or, where Docker is available, use
docker compose up -d prometheus alertmanager grafana

Stop: bash $repo_dir/scripts/monitoring-down.sh --data-dir $data_dir
END
