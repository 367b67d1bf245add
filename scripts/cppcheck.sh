#!/usr/bin/env bash
# Static analysis of src/ with cppcheck, using the build's compile commands.
# Any finding (or cppcheck's own complaint) fails the check.
set -euo pipefail
cd "$(dirname "$0")/.."
# cppcheck matches the filter against file names as the project gives them:
# make both absolute.
build=$(realpath "${1:-build}")
out=$(cppcheck --project="$build/compile_commands.json" --file-filter="$PWD/src/*" \
  --enable=warning,portability,performance --inline-suppr --error-exitcode=1 \
  --suppress=missingIncludeSystem --suppress=unmatchedSuppression -j2 \
  --template='{file}:{line}:{column}: {severity}: {message} [{id}]' 2>&1) || { echo "$out"; exit 1; }
checked=$(grep -c '^Checking ' <<<"$out" || true)
findings=$(grep -v -e '^Checking ' -e '^[0-9]*/[0-9]* files checked' <<<"$out" || true)
if [ -n "$findings" ] || [ "$checked" -eq 0 ]; then
  echo "$findings"
  echo "cppcheck: $checked files checked; findings above" >&2
  exit 1
fi
echo "cppcheck: $checked files checked, no findings"
