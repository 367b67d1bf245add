#!/usr/bin/env bash
# Static analysis of src/ with cppcheck, using the build's compile commands.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cppcheck --project="$build/compile_commands.json" --file-filter="$PWD/src/*" \
  --enable=warning,portability,performance --inline-suppr --error-exitcode=1 \
  --suppress=missingIncludeSystem --suppress=unmatchedSuppression -q -j2 \
  --cppcheck-build-dir="$build" 2>&1
echo "cppcheck: clean"
