#!/bin/sh
# Container entrypoint: bring the database schema up to date, then become the given command
# (by default the server), so that it receives the container's SIGTERM directly.
set -eu
node bin/todobox.js db:migrate
exec "$@"
