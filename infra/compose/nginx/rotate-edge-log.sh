#!/bin/sh
# Keeps nginx's second access log (compose.conf's edge.access.log, which Alloy counts for the edge SLI)
# from filling its volume: nothing in the nginx image rotates it. The image's entrypoint runs this from
# /docker-entrypoint.d before nginx starts; it leaves a loop behind that, every EDGE_LOG_CHECK_SECONDS,
# renames a file larger than EDGE_LOG_MAX_BYTES to edge.access.log.1 (the previous one goes) and has
# nginx reopen its logs (SIGUSR1, what `nginx -s reopen` sends). Alloy follows the file by name: it
# finishes the renamed file, then reads the new one.
set -eu

log_file=${EDGE_LOG_FILE:-/var/log/todobox-edge/edge.access.log}
max_bytes=${EDGE_LOG_MAX_BYTES:-52428800}
check_seconds=${EDGE_LOG_CHECK_SECONDS:-60}
pid_file=${NGINX_PID_FILE:-/var/run/nginx.pid}

rotate_when_full() {
  while sleep "$check_seconds"; do
    size=$(stat -c %s "$log_file" 2>/dev/null || echo 0)
    if [ "$size" -gt "$max_bytes" ] && [ -s "$pid_file" ]; then
      # A failed step (nginx restarting) is retried at the next check rather than ending the loop.
      if mv -f "$log_file" "$log_file.1"; then kill -USR1 "$(cat "$pid_file")" || true; fi
    fi
  done
}

rotate_when_full </dev/null >/dev/null 2>&1 &
