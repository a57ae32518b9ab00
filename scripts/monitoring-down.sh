#!/usr/bin/env bash
# Stops the Prometheus, Alertmanager and node_exporter that scripts/monitoring-up.sh started, found
# through the pid files in its data folder. Their data stays, so the next start keeps the history.
set -euo pipefail

data_dir="./monitoring-data"
stop_seconds=15

usage() {
  cat <<'END'
Usage: bash scripts/monitoring-down.sh [--data-dir DIR]

Stops the processes scripts/monitoring-up.sh started with the same --data-dir (default
./monitoring-data), using the pid files there: SIGTERM, then SIGKILL after 15 s. A pid whose
process is gone, or is now another program, is skipped. The data (Prometheus's history,
Alertmanager's silences) and logs stay in the folder; delete it to start afresh.
END
}

fail() {
  echo "monitoring-down: $*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --data-dir)
      if [ $# -lt 2 ] || [ -z "$2" ]; then fail "--data-dir needs a value"; fi
      data_dir="$2"
      shift 2
      ;;
    -h | --help) usage; exit 0 ;;
    *) fail "unknown option $1 (see --help)" ;;
  esac
done

[ -d "$data_dir" ] || fail "$data_dir does not exist: nothing was started with it"

# True when pid runs the program monitoring-up started under that name (a pid may have been reused).
runs_program() {
  local pid="$1" program="$2" command
  [ -r "/proc/$pid/cmdline" ] || return 1
  command="$(tr '\0' '\n' <"/proc/$pid/cmdline" | head -n 1)"
  [ "$(basename "$command")" = "$program" ]
}

stopped_any=false
for entry in prometheus:prometheus alertmanager:prometheus-alertmanager node_exporter:prometheus-node-exporter; do
  name="${entry%%:*}"
  program="${entry#*:}"
  pid_file="$data_dir/$name.pid"
  [ -f "$pid_file" ] || continue
  pid="$(cat "$pid_file")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && runs_program "$pid" "$program"; then
    kill -TERM "$pid"
    deadline=$((SECONDS + stop_seconds))
    while runs_program "$pid" "$program" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    if runs_program "$pid" "$program"; then
      kill -KILL "$pid"
      echo "monitoring-down: $name (pid $pid) ignored SIGTERM for $stop_seconds s and was killed"
    else
      echo "monitoring-down: stopped $name (pid $pid)"
    fi
    stopped_any=true
  else
    echo "monitoring-down: $name (pid $pid) was no longer running"
  fi
  rm -f "$pid_file"
done

$stopped_any || echo "monitoring-down: nothing from $data_dir was running"
