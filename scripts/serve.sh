#!/usr/bin/env bash
# Build Huddle and serve it: installs what is missing (see scripts/lib/toolchain.sh), builds the app
# with trunk (release) and huddle-server (release), then runs the server on dist/.
#   ./scripts/serve.sh                 # http://127.0.0.1:<PORT>/ ; PORT is honoured (PORT=0: any free port)
#   ./scripts/serve.sh --help          # extra arguments go to huddle-server
set -euo pipefail
# shellcheck source=scripts/lib/toolchain.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"
cd "$HUDDLE_ROOT"

ensure_build_tools

tc_log "building the app: trunk build --release"
trunk_build_release
tc_log "building the server: cargo build --release -p huddle-server"
cargo build --release -p huddle-server

tc_log "starting huddle-server (Ctrl-C stops it); it prints the address to open"
exec "$HUDDLE_SERVER_PATH" --dist "$HUDDLE_ROOT/dist" "$@"
