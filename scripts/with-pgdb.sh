#!/usr/bin/env bash
# Runs a command with UPRAVDOM_TEST_DB set to a fresh database of the backend
# in UPRAVDOM_TEST_BACKEND (sqlite: a temporary file; postgres: a new database
# on the server at UPRAVDOM_TEST_PG), and removes the database afterwards.
set -euo pipefail
if [ "${UPRAVDOM_TEST_BACKEND:-sqlite}" = sqlite ]; then
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
  UPRAVDOM_TEST_DB="sqlite:$dir/test.db" "$@"
  exit
fi
: "${UPRAVDOM_TEST_PG:?UPRAVDOM_TEST_PG is not set (scripts/check.sh sets it)}"
name="t_$$_$RANDOM"
psql "$UPRAVDOM_TEST_PG" -qc "CREATE DATABASE $name" >/dev/null
trap 'psql "$UPRAVDOM_TEST_PG" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null' EXIT
UPRAVDOM_TEST_DB="${UPRAVDOM_TEST_PG%/*}/$name" "$@"
