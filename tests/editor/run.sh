#!/usr/bin/env bash
# Runs the editor tests (tests/editor): the TextMate grammar and language configuration
# (grammar_test.js, needs vscode-textmate and vscode-oniguruma from npm) and the extension's
# manifest and client (extension_test.js, needs nothing installed).
#
#   bash tests/editor/run.sh
#
# Installs the test's node_modules with `npm ci --prefer-offline` when they are missing (at
# most 5 minutes).
# Exit status: 0 passed, 1 failed, 77 skipped (no Node.js, or the packages could not be
# installed; ctest reports 77 as skipped when the test sets SKIP_RETURN_CODE 77).
set -u
cd "$(dirname "$0")" || exit 1

if ! command -v node >/dev/null 2>&1; then
  echo "SKIP: node is not installed (the editor tests need Node.js 18 or later)"
  exit 77
fi

status=0
node extension_test.js || status=1

if [ ! -d node_modules/vscode-textmate ] || [ ! -d node_modules/vscode-oniguruma ]; then
  if ! command -v npm >/dev/null 2>&1 || ! timeout 300 npm ci --prefer-offline --no-audit --no-fund; then
    echo "SKIP: could not install the grammar test's packages (npm ci in tests/editor failed)"
    [ "$status" -ne 0 ] && exit 1
    exit 77
  fi
fi

node grammar_test.js
grammar_status=$?
if [ "$grammar_status" -ne 0 ]; then
  [ "$grammar_status" -eq 77 ] && [ "$status" -eq 0 ] && exit 77
  status=1
fi
exit "$status"
