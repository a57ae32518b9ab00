#!/bin/sh
# The backup container's loop (docker-compose.yml, infra/docker): `todobox backup` once at start, then
# every day at BACKUP_AT (HH:MM or HH:MM:SS in the container's time zone, TZ; default 02:00, the
# guide's time). With BACKUP_METRICS_DIR set, each success rewrites the metric BackupTooOld reads; a
# failure is logged, and the next run is the next day's: BackupTooOld files a ticket when none has
# succeeded for 26 hours. TODOBOX_CLI names the CLI (default: the image's).
set -u
at="${BACKUP_AT:-02:00}"
cli="${TODOBOX_CLI:-node /app/bin/todobox.js}"
# Checked on a day without a clock change: on the day one skips BACKUP_AT, "today 02:30" is no time at all.
if ! date -d "2000-01-01 $at" +%s > /dev/null 2>&1; then
  echo "BACKUP_AT must be a time of day such as 02:00 (got \"$at\")" >&2
  exit 2
fi
while :; do
  # $cli is a command and its arguments: split on purpose.
  # shellcheck disable=SC2086
  if $cli backup; then
    echo "backup done; the next one at $at"
  else
    echo "backup failed (exit $?); the next one at $at" >&2
  fi
  now=$(date +%s)
  # A day whose clock skips BACKUP_AT has no such time: that day's run moves to the next one's.
  next=$(date -d "today $at" +%s 2> /dev/null || echo 0)
  [ "$next" -gt "$now" ] || next=$(date -d "tomorrow $at" +%s 2> /dev/null || echo $((now + 86400)))
  sleep $((next - now))
done
