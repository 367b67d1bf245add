#!/usr/bin/env bash
# Fails if any C source under src/ or tests/ differs from .clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c' 2>/dev/null || find src tests bench -name '*.[ch]')
clang-format --dry-run --Werror $files
echo "format: $(echo "$files" | wc -w) files clean"
