#!/usr/bin/env bash
# Runs clang-tidy (the checks in .clang-tidy, every finding an error) on the project's own
# sources: values/, grammar/, dsl/, engine/, authoring/, tools/, api/, records/, service/, lsp/, python/. Uses the compile
# commands of the build folder given as $1 (default build/), which must be configured already.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
if [ ! -f "$build/compile_commands.json" ]; then
  echo "error: $build/compile_commands.json is missing; configure $build first" >&2
  exit 2
fi
mapfile -t files < <(git ls-files 'values/*.cpp' 'grammar/*.cpp' 'dsl/*.cpp' 'engine/*.cpp' 'authoring/*.cpp' 'tools/*.cpp' 'api/*.cpp' 'records/*.cpp' 'service/*.cpp' 'lsp/*.cpp' 'python/*.cpp')
echo "clang-tidy on ${#files[@]} files"
run-clang-tidy-14 -p "$build" -j "$(nproc)" -quiet "${files[@]/#/$PWD/}" >"$build/clang-tidy.log" 2>&1 || {
  grep -E "(warning|error):" "$build/clang-tidy.log" | sort -u | head -50
  echo "clang-tidy found problems; the full log is $build/clang-tidy.log" >&2
  exit 1
}
echo "clang-tidy: ok"
