#!/usr/bin/env bash
# Bounded schemathesis run against the server's OpenAPI document.
#
#   bash tools/api-fuzz.sh PATH/TO/motcua
#
# Starts `motcua serve` on a free loopback port with a fresh temporary data
# folder (the demo data set loads into the empty database), creates an API
# token for the demo reception officer `tiepnhan.xa` (desk H55.305.1), and runs
# schemathesis against /api/openapi.json twice: with `Authorization: Bearer
# TOKEN`, then with no credentials. Checks: no 5xx, and responses that conform
# to the document (status code documented, content type, body schema). Exits
# non-zero when either run reports a failure or an error, times out, or when
# the server dies or panics. No operation is excluded.
#
# Settings (environment):
#   API_FUZZ_MAX_EXAMPLES  test cases per operation and phase (default 100)
#   API_FUZZ_TIMEOUT       hard limit for each run, in seconds (default 300)
#   API_FUZZ_SEED          schemathesis seed (default 1: runs are repeatable)
#   API_FUZZ_REPORT_DIR    keep the JUnit reports there (default: removed)
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5

if [ $# -lt 1 ]; then
  echo "usage: $0 PATH/TO/motcua" >&2
  exit 2
fi
if [ ! -f "$1" ] || [ ! -x "$1" ]; then
  echo "api-fuzz: $1 is not an executable" >&2
  exit 2
fi
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
max_examples=${API_FUZZ_MAX_EXAMPLES:-100}
run_timeout=${API_FUZZ_TIMEOUT:-300}
seed=${API_FUZZ_SEED:-1}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

echo "== schemathesis $SCHEMATHESIS_VERSION"
installed=$(python3 -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null || true)
if [ "$installed" != "$SCHEMATHESIS_VERSION" ]; then
  if ! python3 -m pip --version >/dev/null 2>&1; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip
  fi
  python3 -m pip install -q "schemathesis==$SCHEMATHESIS_VERSION" 2>/dev/null \
    || python3 -m pip install -q --break-system-packages "schemathesis==$SCHEMATHESIS_VERSION"
fi
python3 -m schemathesis.cli --version

work=$(mktemp -d -t motcua-api-fuzz.XXXXXX)
data="$work/data"
log="$work/server.log"
reports=${API_FUZZ_REPORT_DIR:-$work/reports}
mkdir -p "$reports"
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do server_alive || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 130" INT
trap "exit 143" TERM

# Alive and not a zombie (an exited child stays in the table until it is waited for).
server_alive() {
  [ -r "/proc/$server_pid/stat" ] && [ "$(sed 's/.*) //' "/proc/$server_pid/stat" | cut -d' ' -f1)" != Z ]
}
ready() {
  python3 -c 'import sys, urllib.request; sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=5).status == 200 else 1)' \
    "$base/readyz" 2>/dev/null
}

show_log() {
  echo "== server log (last 60 lines of $log)"
  tail -n 60 "$log" | sed 's/\x1b\[[0-9;]*m//g' || true
}

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

echo "== motcua serve on $base (data: $data)"
# Settings given by flags; a caller's MOTCUA_DATABASE_URL or MOTCUA_CONFIG must not redirect the server.
env -u MOTCUA_DATABASE_URL -u MOTCUA_CONFIG -u MOTCUA_DATA_DIR -u MOTCUA_LISTEN \
  "$bin" serve --listen "127.0.0.1:$port" --data-dir "$data" >"$log" 2>&1 &
server_pid=$!
is_ready=0
for _ in $(seq 1 240); do
  if ! server_alive; then
    echo "api-fuzz: the server exited before it was ready" >&2
    show_log
    exit 1
  fi
  if ready; then
    is_ready=1
    break
  fi
  sleep 0.5
done
if [ "$is_ready" != 1 ]; then
  echo "api-fuzz: $base/readyz did not answer 200 within 120 s" >&2
  show_log
  exit 1
fi

token=$(env -u MOTCUA_DATABASE_URL -u MOTCUA_CONFIG -u MOTCUA_DATA_DIR \
  "$bin" token create tiepnhan.xa --data-dir "$data" 2>>"$log" | tail -n 1) || token=
if [ -z "$token" ]; then
  echo "api-fuzz: motcua token create printed no token" >&2
  show_log
  exit 1
fi

# The body of POST /api/dossiers/{code}/documents is application/pdf, which
# schemathesis cannot serialize by itself: the hooks file adds a serializer.
export SCHEMATHESIS_HOOKS="$here/api-fuzz-hooks.py"

# run_schemathesis NAME [EXTRA ARGS...]: one bounded run; its status in $rc.
run_schemathesis() {
  local name=$1
  shift
  mkdir -p "$reports/$name"
  echo "== schemathesis: $name (max examples $max_examples, seed $seed, limit ${run_timeout}s)"
  local start end
  start=$(date +%s)
  rc=0
  # Run from the temporary folder: no schemathesis.toml of the caller is picked up, nothing is left behind.
  # SIGINT on timeout lets schemathesis print what it found so far; SIGKILL 30 s later if it does not stop.
  # The token belongs to a throwaway database, so the output need not hide it and the
  # printed curl reproductions work as they are.
  (cd "$work" && timeout -s INT -k 30 "$run_timeout" python3 -m schemathesis.cli run \
    "$base/api/openapi.json" \
    --url "$base" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$max_examples" \
    --seed "$seed" \
    --continue-on-failure \
    --generation-database none \
    --output-sanitize false \
    --no-color \
    --report junit --report-dir "$reports/$name" \
    "$@") || rc=$?
  end=$(date +%s)
  if [ "$rc" = 124 ]; then
    echo "api-fuzz: $name: schemathesis did not finish within ${run_timeout}s" >&2
  fi
  echo "== schemathesis: $name took $((end - start)) s, exit status $rc"
}

failed=()
run_schemathesis with-token --header "Authorization: Bearer $token"
[ "$rc" = 0 ] || failed+=("with-token (exit $rc)")
run_schemathesis no-credentials
[ "$rc" = 0 ] || failed+=("no-credentials (exit $rc)")

if ! server_alive || ! ready; then
  failed+=("server no longer ready after the runs")
fi
if grep -q 'panicked' "$log"; then
  failed+=("server log shows a panic")
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "api-fuzz: FAILED: ${failed[*]}" >&2
  show_log
  exit 1
fi
echo "api-fuzz: both runs passed"
