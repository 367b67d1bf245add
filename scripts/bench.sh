#!/usr/bin/env bash
# Runs every benchmark in bench/ at default size; each prints one JSON line last.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shopt -s nullglob
ran=0
for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  "$b"
  ran=$((ran + 1))
done
echo "bench: $ran benchmark(s) run" >&2
