#!/usr/bin/env bash
# Runs the browser tests of the operator console (`make test-browser`).
#
#   tests/browser/run.sh [PICKET_BINARY]
#
# Installs playwright-core from the npm registry (npm ci, no browser download: Debian's
# /usr/bin/chromium is used), builds the console (scripts/build-web), runs its unit tests
# (Vitest), then:
#   bench.test.mjs    the 5,000-track rendering benchmark (needs only web/dist)
#   console.test.mjs  the acceptance tests against the real daemon, `picket run`
# The daemon tests are skipped, saying so, only while PICKET_BINARY has no `run` subcommand.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
picket=$(realpath -m "${1:-${PICKET_BINARY:-$repo/build/release/picket}}")
export PICKET_BINARY=$picket
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

chromium=${PICKET_CHROMIUM:-/usr/bin/chromium}
if [[ ! -x $chromium ]]; then
  echo "browser tests: $chromium is missing (scripts/install-deps installs Debian's chromium)" >&2
  exit 1
fi

# npm ci when node_modules is missing or the lock file changed since the last install.
stamp=$here/node_modules/.package-lock.stamp
if [[ ! -f $stamp ]] || ! cmp -s "$here/package-lock.json" "$stamp"; then
  (cd "$here" && npm ci --no-audit --no-fund --ignore-scripts)
  cp "$here/package-lock.json" "$stamp"
fi

bash "$repo/scripts/build-web"
echo "browser tests: unit tests of the console (Vitest)"
(cd "$repo/web" && npx --no-install vitest run)

tests=("$here/bench.test.mjs")
if [[ ! -x $picket ]]; then
  echo "browser tests: $picket is missing: build it first (make build)" >&2
  exit 1
elif "$picket" --help 2>&1 | grep -Eq '^[[:space:]]+run[[:space:]]'; then
  tests+=("$here/console.test.mjs")
else
  echo "browser tests: SKIPPED the console tests against the daemon: $picket has no 'run'" \
    "subcommand yet (issue 5's live daemon has not landed); running the rendering benchmark only"
fi

cd "$here"
node --test --test-concurrency=1 --test-reporter=spec "${tests[@]}"
