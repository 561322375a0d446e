#!/usr/bin/env bash
# Benchmarks, in headless Chromium on this machine.
#   ./scripts/bench.sh [N]                  data channel round trip (same as `datachannel`)
#   ./scripts/bench.sh datachannel [N]      builds the app (trunk, release) and huddle-server
#                                           (release), then measures the WebRTC data channel round
#                                           trip between two pages (median of N, default 100)
#   ./scripts/bench.sh vision [OPTIONS]     our tract wasm vs onnxruntime-web on the same ONNX
#                                           models (ms per inference, tract/ort), the /lab page's
#                                           frame rate at 640x480, model load times and wasm sizes.
#                                           Prints a markdown table; raw JSON in
#                                           tests/e2e/results/bench-vision.json. Builds only what
#                                           is missing (dist/vision_worker_bg.wasm, the server):
#                                           HUDDLE_REBUILD=1 rebuilds both first. OPTIONS go to
#                                           run.mjs: --calls 50 --warmups 5 --lab-seconds 10
#                                           --models a,b --no-lab --out FILE
#                                           (see tests/e2e/bench/vision/README.md)
#   ./scripts/bench.sh room [OPTIONS]       the group photo room with 2, 3 and 4 members: preview
#                                           fps on every member, bytes sent per peer, the media
#                                           path's delay, shutter to photo on every page. Builds
#                                           what is missing, like `vision`. OPTIONS go to room.mjs:
#                                           --sizes 2,3,4 --seconds 10
#   ./scripts/bench.sh edit [N]             edit together: an edit on one member to visible on
#                                           another (median, p95 of N, default 60). Builds what is
#                                           missing, like `vision`.
#   ./scripts/bench.sh tryon [S] [RUNS]     try-on: made-up frames per second at 640x480 and anchor
#                                           tap to first made-up frame, lipstick and hat (S seconds
#                                           of fps per run, default 10; RUNS default 3). Builds what
#                                           is missing, like `vision`.
#   ./scripts/bench.sh all                  data channel, vision, room, edit, then tryon
# Without building or installing anything (everything already there):
#   node tests/e2e/bench/datachannel.mjs [N]
#   node tests/e2e/bench/vision/run.mjs [OPTIONS]
#   node tests/e2e/bench/room.mjs [OPTIONS]
#   node tests/e2e/bench/edit.mjs [N]
#   node tests/e2e/bench/tryon.mjs [S] [RUNS]
set -euo pipefail
# shellcheck source=scripts/lib/toolchain.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"
cd "$HUDDLE_ROOT"

mode=datachannel
case "${1:-}" in
    datachannel | vision | room | edit | tryon | all) mode="$1"; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac

# Loopback only (as in the e2e suite) when a network namespace can be made here.
run_isolated() {
    if command -v unshare >/dev/null && unshare -n sh -c 'ip link set lo up' 2>/dev/null; then
        unshare -n -- bash -c 'ip link set lo up && exec "$@"' bench "$@"
    else
        "$@"
    fi
}

bench_datachannel() {
    ensure_apt_packages
    ensure_build_tools
    ensure_e2e_node_modules
    trunk_build_release
    cargo build --release -p huddle-server
    run_isolated node tests/e2e/bench/datachannel.mjs "$@"
}

# onnxruntime-web for the vision bench, exactly as its package-lock.json pins it. A package of
# its own, so the normal e2e install (tests/e2e) never downloads it.
ensure_vision_bench_modules() {
    ensure_npm_locked "$HUDDLE_ROOT/tests/e2e/bench/vision" onnxruntime-web
}

bench_vision() {
    ensure_apt_packages
    ensure_e2e_node_modules
    ensure_vision_bench_modules
    if [ -n "${HUDDLE_REBUILD:-}" ] || ! compgen -G "$HUDDLE_ROOT/dist/vision_worker*_bg.wasm" >/dev/null; then
        ensure_build_tools
        trunk_build_release
    else
        tc_log "dist/vision_worker_bg.wasm: present (HUDDLE_REBUILD=1 to rebuild)"
    fi
    if [ -n "${HUDDLE_REBUILD:-}" ] || [ ! -x "$HUDDLE_SERVER_PATH" ]; then
        cargo build --release -p huddle-server
    else
        tc_log "huddle-server (release): present"
    fi
    # The harness looks for the server here (CARGO_TARGET_DIR may move it).
    HUDDLE_SERVER_BIN="${HUDDLE_SERVER_BIN:-$HUDDLE_SERVER_PATH}" \
        run_isolated node tests/e2e/bench/vision/run.mjs "$@"
}

# A browser bench script in tests/e2e/bench, after building what is missing.
bench_browser() {
    local script="$1"
    shift
    ensure_apt_packages
    ensure_e2e_node_modules
    if [ -n "${HUDDLE_REBUILD:-}" ] || ! compgen -G "$HUDDLE_ROOT/dist/huddle-app*_bg.wasm" >/dev/null; then
        ensure_build_tools
        trunk_build_release
    fi
    if [ -n "${HUDDLE_REBUILD:-}" ] || [ ! -x "$HUDDLE_SERVER_PATH" ]; then
        cargo build --release -p huddle-server
    fi
    HUDDLE_SERVER_BIN="${HUDDLE_SERVER_BIN:-$HUDDLE_SERVER_PATH}" \
        run_isolated node "tests/e2e/bench/$script" "$@"
}

bench_room() { bench_browser room.mjs "$@"; }
bench_edit() { bench_browser edit.mjs "$@"; }
bench_tryon() { bench_browser tryon.mjs "$@"; }

case "$mode" in
    datachannel) bench_datachannel "$@" ;;
    tryon) bench_tryon "$@" ;;
    edit) bench_edit "$@" ;;
    vision) bench_vision "$@" ;;
    room) bench_room "$@" ;;
    all) bench_datachannel && bench_vision && bench_room && bench_edit && bench_tryon ;;
esac
