#!/usr/bin/env bash
# Creates the test databases and users on the local MariaDB and PostgreSQL servers, and lets the
# MariaDB user create the benchmark's databases (todobox_bench_*) (idempotent).
set -euo pipefail
if command -v mysql >/dev/null 2>&1; then
  mysql -e "CREATE DATABASE IF NOT EXISTS todobox_test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
    CREATE USER IF NOT EXISTS 'todobox'@'127.0.0.1' IDENTIFIED BY 'todobox';
    GRANT ALL ON todobox_test.* TO 'todobox'@'127.0.0.1';
    GRANT ALL ON \`todobox_test_%\`.* TO 'todobox'@'127.0.0.1';
    GRANT ALL ON \`todobox_bench_%\`.* TO 'todobox'@'127.0.0.1';
    FLUSH PRIVILEGES;" || echo "warning: could not prepare MariaDB"
fi
if command -v psql >/dev/null 2>&1; then
  psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=0 -q <<'SQL' || echo "warning: could not prepare PostgreSQL"
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'todobox') THEN
    CREATE ROLE todobox LOGIN PASSWORD 'todobox' CREATEDB;
  END IF;
END $$;
SQL
  psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'todobox_test'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE todobox_test OWNER todobox"
fi
