#!/usr/bin/env bash
# Browser end-to-end and accessibility tests (docs/e2e.md): installs what they
# need when it is missing (Debian's chromium, the npm packages of
# package-lock.json), builds the debug binary if it is missing, then runs
# `node --test`. Exits non-zero when a test fails.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/motcua-target}"
bin="$CARGO_TARGET_DIR/debug/motcua"
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian's Chromium: never a browser downloaded by a test tool.
if [ ! -x "$chromium" ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
fi
"$chromium" --version 2>/dev/null | grep -i chromium || { echo "no working $chromium" >&2; exit 1; }

command -v node >/dev/null || { echo "node is missing (Node.js 20 or newer)" >&2; exit 1; }
# npm ci when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

if [ ! -x "$bin" ]; then
  (cd "$root" && cargo build -p motcua-cli)
elif newer=$(find "$root/crates" -type f -newer "$bin" -print -quit) && [ -n "$newer" ]; then
  # Not rebuilt here (another cargo may hold the lock); say so, since the
  # tests then check the binary as it was last built.
  echo "warning: $newer is newer than $bin; run \`cargo build -p motcua-cli\` to test the current code" >&2
fi

# The spec reporter to stdout prints every test and the closing summary
# (tests, pass, fail, duration) whether or not stdout is a terminal.
exec node --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-timeout=120000 test/pages.test.mjs test/workspace.test.mjs
