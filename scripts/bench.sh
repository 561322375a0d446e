#!/usr/bin/env bash
# Benchmarks. Builds the app (trunk, release) and huddle-server (release), then measures the
# WebRTC data channel round trip between two headless Chromium pages (median of N, default 100).
#   ./scripts/bench.sh [N]
# Without rebuilding (dist/ and target/release/huddle-server already built):
#   node tests/e2e/bench/datachannel.mjs [N]
set -euo pipefail
# shellcheck source=scripts/lib/toolchain.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"
cd "$HUDDLE_ROOT"

ensure_apt_packages
ensure_build_tools
ensure_e2e_node_modules
trunk_build_release
cargo build --release -p huddle-server

bench=(node tests/e2e/bench/datachannel.mjs "$@")
# Loopback only (as in the e2e suite) when a network namespace can be made here.
if command -v unshare >/dev/null && unshare -n sh -c 'ip link set lo up' 2>/dev/null; then
    exec unshare -n -- bash -c 'ip link set lo up && exec "$@"' bench "${bench[@]}"
fi
exec "${bench[@]}"
