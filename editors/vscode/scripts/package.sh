#!/usr/bin/env bash
# Builds the extension package editors/vscode/rubric-0.1.0.vsix:
#
#   bash editors/vscode/scripts/package.sh
#
# installs the exact dependencies of package-lock.json (npm ci), then runs vsce, which packs
# the files .vscodeignore leaves in, with the production dependencies (vscode-languageclient).
# Needs Node.js 20 or later and npm; no TypeScript or bundler step.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(node -p "require('./package.json').version")
name=$(node -p "require('./package.json').name")
out="$name-$version.vsix"

npm ci --no-audit --no-fund
rm -f "$out"
npx --no-install vsce package --skip-license --allow-missing-repository --out "$out"
echo "built $(pwd)/$out"
