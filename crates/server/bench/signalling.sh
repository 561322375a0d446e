#!/usr/bin/env bash
# Signalling load benchmark: starts huddle-server on an ephemeral port,
# connects N members in rooms of 4 with huddle-loadgen, and reports join
# latency and the server's memory per member.
#
#   crates/server/bench/signalling.sh [MEMBERS]      (default 10000)
#
# Env: CARGO_TARGET_DIR (default: target), CONCURRENCY (default 64).
set -euo pipefail

members="${1:-10000}"
concurrency="${CONCURRENCY:-64}"
root="$(cd "$(dirname "$0")/../../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
work="$(mktemp -d)"
server_pid=""

cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "building release binaries..." >&2
(cd "$root" && CARGO_TARGET_DIR="$target" cargo build --release -q -p huddle-server --bins)

# Each member is one socket in the server and one in the load generator.
ulimit -n "$(( members * 2 + 1024 ))" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "open files limit: $(ulimit -n)" >&2

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

mkdir -p "$work/dist"
echo '<!doctype html><title>bench</title>' > "$work/dist/index.html"
PORT=0 HUDDLE_LOG=warn "$target/release/huddle-server" \
    --dist "$work/dist" --data-dir "$work/data" > "$work/server.out" 2> "$work/server.err" &
server_pid=$!

url=""
for _ in $(seq 1 100); do
    url="$(sed -n 's#^Huddle is running at \(http://.*\)$#\1#p' "$work/server.out")"
    [[ -n "$url" ]] && break
    sleep 0.1
done
if [[ -z "$url" ]]; then
    echo "server did not start:" >&2
    cat "$work/server.err" >&2
    exit 1
fi
ws_url="ws://${url#http://}ws"
echo "server at $url (pid $server_pid)" >&2

rss_before="$(rss_kib "$server_pid")"

"$target/release/huddle-loadgen" --url "$ws_url" --members "$members" \
    --concurrency "$concurrency" --hold-secs 3 > "$work/loadgen.out" &
loadgen_pid=$!

# Read the server's memory while everyone is connected.
until grep -q '^all .* members joined' "$work/loadgen.out" 2>/dev/null; do
    if ! kill -0 "$loadgen_pid" 2>/dev/null; then break; fi
    sleep 0.1
done
sleep 1
rss_after="$(rss_kib "$server_pid")"
status=0
wait "$loadgen_pid" || status=$?

cat "$work/loadgen.out"
echo "server RSS: ${rss_before} KiB before, ${rss_after} KiB with ${members} members connected"
awk -v a="$rss_after" -v b="$rss_before" -v n="$members" \
    'BEGIN { printf "memory per member: %.1f KiB\n", (a - b) / n }'
exit "$status"
