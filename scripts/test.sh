#!/usr/bin/env bash
# The whole Huddle test suite, in order:
#   setup (installs what is missing), cargo fmt, cargo test (native), the app's in-browser wasm
#   tests (headless Chromium), trunk build --release, the server (the test build's binary), then
#   the e2e suite (tests/e2e, node --test). Clippy's lints (as errors) run inside those builds.
# The release wasm build (minutes of single-threaded LTO) runs in the background from the start,
# beside the native steps, so both cores stay busy; its log is printed when the suite waits for it.
# Every step prints its duration; the run ends with a summary and a line "N passed, N failed",
# and exits non-zero if anything failed. A failed step does not stop the later independent steps;
# the e2e suite needs the app and the server builds and is counted as failed when they failed.
#
# Options: --no-install   fail instead of installing missing tools
#          --e2e-only     setup + app release build + server + e2e (quick loop while writing e2e tests)
# Env:     E2E_FILTER=regex   run only e2e tests whose names match (node --test-name-pattern)
#          CI=true            also set by CI: non-incremental, no debug info (faster cold builds)
set -uo pipefail
SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
# shellcheck source=scripts/lib/toolchain.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"
cd "$HUDDLE_ROOT" || exit 1

INSTALL=${HUDDLE_INSTALL:-1}
E2E_ONLY=0
for arg in "$@"; do
    case "$arg" in
        --no-install) INSTALL=0; export HUDDLE_INSTALL=0 ;;
        --e2e-only) E2E_ONLY=1 ;;
        --run-fn) break ;;
        -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "unknown option: $arg" >&2; exit 2 ;;
    esac
done

if [ "${CI:-}" = true ]; then
    export CARGO_INCREMENTAL=0 CARGO_PROFILE_DEV_DEBUG=0 CARGO_TERM_COLOR=never
fi
export RUST_BACKTRACE="${RUST_BACKTRACE:-1}"
# The e2e harness runs the server that `cargo test` already built (its dependencies are optimised
# in test builds too): a separate release build of the server cost CI ~2 minutes for nothing.
export HUDDLE_SERVER_BIN="${HUDDLE_SERVER_BIN:-$HUDDLE_TARGET_DIR/debug/huddle-server}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"   # for wasm-bindgen-test-runner

# Every build of our crates is also their clippy run: clippy-driver compiles the workspace members
# (dependencies are compiled by rustc as usual) with clippy's lints as errors. So the dependencies
# (tract, leptos, axum) are compiled once per target instead of also being checked by a separate
# `cargo clippy` (that cost CI ~6 minutes natively and as much again for wasm). The same
# environment for every build, so the members' fingerprints agree and nothing rebuilds.
CLIPPY_DRIVER="$(rustc --print sysroot 2>/dev/null)/bin/clippy-driver"
LINT_ENV=(RUSTC_WORKSPACE_WRAPPER="$CLIPPY_DRIVER" CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__")
LINTED=(env "${LINT_ENV[@]}")
# trunk runs cargo itself: it inherits the environment.
trunk_build_linted() {
    export "${LINT_ENV[@]}"
    trunk_build_release
}

LOG_DIR="$HUDDLE_ROOT/target/test-logs"
[ "${1:-}" = --run-fn ] || { rm -rf "$LOG_DIR" && mkdir -p "$LOG_DIR"; }
RUN_START=$SECONDS
STEP_NO=0
SUMMARY=()
TOTAL_PASS=0
TOTAL_FAIL=0
declare -A STEP_OK=()

fmt_secs() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# run_step ID KIND LIMIT_SECONDS COMMAND...
#   KIND: check      -> one check, passed iff exit status 0
#         cargo-test -> sums "N passed; M failed" over every "test result:" line
#         node-test  -> reads node --test's "# pass N" / "# fail N" / "# cancelled N"
# A non-zero exit with no failed test counted (a compile error, a timeout) counts one failure.
run_step() {
    local id="$1" kind="$2" limit="$3"
    shift 3
    STEP_NO=$((STEP_NO + 1))
    local log
    log="$LOG_DIR/$(printf '%02d' "$STEP_NO")-$id.log"
    printf '\n\033[1m=== [%d] %s\033[0m\n$ %s\n' "$STEP_NO" "$id" "$*"
    local start=$SECONDS rc
    if declare -F "$1" >/dev/null; then set -- "$SELF" --run-fn "$1"; fi
    timeout --kill-after=20 "$limit" "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    local dur=$((SECONDS - start)) pass=0 fail=0 note=""
    case "$kind" in
        cargo-test)
            read -r pass fail < <(sed 's/\x1b\[[0-9;]*m//g' "$log" |
                awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
                     END { print p + 0, f + 0 }')
            ;;
        node-test)
            read -r pass fail < <(awk '/^# pass /{p=$3} /^# fail /{f=$3} /^# cancelled /{c=$3} END {print p+0, f+c}' "$log")
            ;;
        check) if [ "$rc" -eq 0 ]; then pass=1; else fail=1; fi ;;
    esac
    if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
    [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && note=" (timed out after ${limit}s)"
    TOTAL_PASS=$((TOTAL_PASS + pass))
    TOTAL_FAIL=$((TOTAL_FAIL + fail))
    local status=ok
    if [ "$rc" -ne 0 ]; then status=FAILED; STEP_OK[$id]=0; else STEP_OK[$id]=1; fi
    local line
    line="$(printf '%-7s %-22s %8s  %4d passed, %d failed%s' "$status" "$id" "$(fmt_secs "$dur")" "$pass" "$fail" "$note")"
    SUMMARY+=("$line")
    printf '=== [%d] %s: %s in %s (exit %d; log %s)\n' "$STEP_NO" "$id" "$status" "$(fmt_secs "$dur")" "$rc" "${log#"$HUDDLE_ROOT"/}"
}

# A step that cannot run because a step it needs failed: one failure, said plainly.
not_run() {
    STEP_NO=$((STEP_NO + 1))
    TOTAL_FAIL=$((TOTAL_FAIL + 1))
    SUMMARY+=("$(printf '%-7s %-22s %8s  not run: %s' FAILED "$1" - "$2")")
    printf '\n=== [%d] %s: NOT RUN: %s\n' "$STEP_NO" "$1" "$2"
}

# start_background ID LIMIT COMMAND...: runs a step beside the following ones, output to its log
# only (interleaved output would be unreadable). wait_background ID prints the log and records
# the step like run_step, timed from its start.
declare -A BG_PID=() BG_START=() BG_LOG=() BG_NO=()
start_background() {
    local id="$1" limit="$2"
    shift 2
    STEP_NO=$((STEP_NO + 1))
    BG_NO[$id]=$STEP_NO
    BG_LOG[$id]="$LOG_DIR/$(printf '%02d' "$STEP_NO")-$id.log"
    BG_START[$id]=$SECONDS
    printf '\n\033[1m=== [%d] %s (in the background)\033[0m\n$ %s\n' "$STEP_NO" "$id" "$*"
    if declare -F "$1" >/dev/null; then set -- "$SELF" --run-fn "$1"; fi
    # The subshell notes when the step ended ($SECONDS carries on in it), so its time is its own,
    # not the time until the suite waited for it.
    (
        timeout --kill-after=20 "$limit" "$@" >"${BG_LOG[$id]}" 2>&1
        rc=$?
        echo "$SECONDS" >"${BG_LOG[$id]}.end"
        exit "$rc"
    ) &
    BG_PID[$id]=$!
    # An interrupted suite must not leave a build running (timeout passes the signal on).
    trap 'for p in "${BG_PID[@]}"; do pkill -TERM -P "$p"; kill "$p"; done 2>/dev/null' EXIT
}
wait_background() {
    local id="$1" rc
    printf '\n\033[1m=== [%d] %s: waiting for the background build\033[0m\n' "${BG_NO[$id]}" "$id"
    wait "${BG_PID[$id]}"
    rc=$?
    unset "BG_PID[$id]"
    # A passing build's log is long and dull: its tail is enough (the whole is in the log file).
    if [ "$rc" -eq 0 ]; then tail -n 15 "${BG_LOG[$id]}"; else cat "${BG_LOG[$id]}"; fi
    local end=$SECONDS
    [ -s "${BG_LOG[$id]}.end" ] && end=$(cat "${BG_LOG[$id]}.end")
    local dur=$((end - BG_START[$id])) status=ok note="" pass=1 fail=0
    [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && note=" (timed out)"
    if [ "$rc" -ne 0 ]; then status=FAILED pass=0 fail=1; fi
    STEP_OK[$id]=$pass
    TOTAL_PASS=$((TOTAL_PASS + pass))
    TOTAL_FAIL=$((TOTAL_FAIL + fail))
    SUMMARY+=("$(printf '%-7s %-22s %8s  %4d passed, %d failed%s' "$status" "$id" "$(fmt_secs "$dur")" \
        "$pass" "$fail" "$note")")
    printf '=== [%d] %s: %s in %s, beside the steps above (exit %d; log %s)\n' \
        "${BG_NO[$id]}" "$id" "$status" "$(fmt_secs "$dur")" "$rc" "${BG_LOG[$id]#"$HUDDLE_ROOT"/}"
}

# A clean run grows target/ to about 4.5 GB. A disk that fills mid-build fails cargo and trunk
# with errors that do not say why ("bad status returned from cargo artifacts request"), so the
# free space is said up front, and again beside the summary when something failed.
NEEDED_DISK_GB=6
LOW_DISK_NOTE=""
check_free_disk() {
    local free_kb
    free_kb=$(df -Pk "$HUDDLE_ROOT" 2>/dev/null | awk 'NR == 2 { print $4 }')
    [ -n "$free_kb" ] || return 0
    if [ "$free_kb" -lt $((NEEDED_DISK_GB * 1024 * 1024)) ]; then
        LOW_DISK_NOTE="$(printf 'only %d MB free on the disk of %s; a clean run needs about %d GB (target/ alone grows to 4.5 GB): builds may fail for want of space' \
            $((free_kb / 1024)) "$HUDDLE_ROOT" "$NEEDED_DISK_GB")"
        echo "WARNING: $LOW_DISK_NOTE" >&2
    fi
}

setup() {
    [ -x "$CLIPPY_DRIVER" ] || { echo "clippy is missing: rustup component add clippy"; return 1; }
    if [ "$INSTALL" = 1 ]; then
        ensure_apt_packages && ensure_build_tools && ensure_e2e_node_modules
    else
        local missing=() tool
        for tool in trunk wasm-bindgen wasm-bindgen-test-runner wasm-opt chromium chromedriver; do
            command -v "$tool" >/dev/null || missing+=("$tool")
        done
        [ -d tests/e2e/node_modules/playwright-core ] || missing+=(tests/e2e/node_modules/playwright-core)
        [ ${#missing[@]} -eq 0 ] || { echo "--no-install, and missing: ${missing[*]}"; return 1; }
        echo "all tools present"
    fi
}

# The e2e suite in a network namespace with only loopback (keeps WebRTC on 127.0.0.1), when the
# kernel lets us make one; otherwise on the host network.
e2e() {
    local cmd=(node --test --test-concurrency=1 --test-reporter=tap)
    [ -n "${E2E_FILTER:-}" ] && cmd+=(--test-name-pattern="$E2E_FILTER")
    cmd+=(tests/e2e/specs/)
    if command -v unshare >/dev/null && command -v ip >/dev/null &&
        unshare -n sh -c 'ip link set lo up' 2>/dev/null; then
        echo "(e2e inside 'unshare -n': loopback only)"
        unshare -n -- bash -c 'ip link set lo up && exec "$@"' e2e "${cmd[@]}"
    else
        echo "(unshare -n unavailable here: e2e on the host network)"
        "${cmd[@]}"
    fi
}

# `timeout` runs programs, not shell functions: a function step re-enters this script.
if [ "${1:-}" = --run-fn ]; then "$2"; exit $?; fi

check_free_disk
run_step setup check 1800 setup
if [ "${STEP_OK[setup]}" != 1 ]; then
    echo "setup failed: the toolchain is incomplete; later steps will say what is missing" >&2
fi

start_background trunk-build-release 2400 trunk_build_linted
# The release build is the long pole (the e2e suite waits for it), and it ends in long
# single-threaded steps (the vision worker's LTO, wasm-opt). The native steps yield the CPU to it,
# so they fill the core it leaves idle instead of delaying it.
YIELD=(nice -n 10)
if [ "$E2E_ONLY" = 0 ]; then
    run_step fmt check 300 cargo fmt --all --check
    # Builds (and so lints) every native target, benches included, then runs the tests.
    run_step build-native check 1800 "${YIELD[@]}" "${LINTED[@]}" cargo test --all-targets --no-run
    run_step test-native cargo-test 1800 "${YIELD[@]}" "${LINTED[@]}" cargo test
    # The app's library and in-browser tests (wasm-bindgen-test-runner + chromedriver + headless
    # Chromium, crates/app/webdriver.json); its worker binary is linted by the trunk build.
    run_step test-wasm-browser cargo-test 1200 "${YIELD[@]}" "${LINTED[@]}" cargo test -p huddle-app --target "$WASM_TARGET" --profile wasm-test
    # Vision in wasm is checked on the shipped worker by the e2e suite (specs/vision-parity.test.mjs),
    # which needs no second wasm build of tract; crates/vision/tests/wasm_parity.rs (the pipelines
    # built as a wasm test) stays runnable by hand, see its header.
fi
# The native test build already made target/debug/huddle-server (cargo builds a package's binaries
# for its integration tests); a `cargo build` would resolve features without the dev-dependencies
# and rebuild half of the server's (1m41s in CI). The quick --e2e-only loop builds it.
if [ "$E2E_ONLY" = 0 ]; then
    run_step server-build check 60 test -x "$HUDDLE_TARGET_DIR/debug/huddle-server"
else
    run_step server-build check 1800 "${LINTED[@]}" cargo build -p huddle-server
fi
wait_background trunk-build-release

if [ "${STEP_OK[trunk-build-release]}" = 1 ] && [ "${STEP_OK[server-build]}" = 1 ]; then
    run_step e2e node-test 900 e2e
else
    not_run e2e "it needs dist/ (trunk build --release) and target/debug/huddle-server"
fi

printf '\n\033[1m=== Summary (total %s; logs in target/test-logs/)\033[0m\n' "$(fmt_secs $((SECONDS - RUN_START)))"
printf '%s\n' "${SUMMARY[@]}"
# A failed e2e test leaves <test>.txt (and screenshots) there; passing tests may leave screenshots.
compgen -G "tests/e2e/results/*.txt" >/dev/null &&
    echo "e2e failure screenshots and notes: tests/e2e/results/"
[ "$TOTAL_FAIL" -gt 0 ] && [ -n "$LOW_DISK_NOTE" ] && echo "note: $LOW_DISK_NOTE (checked at the start)"
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
[ "$TOTAL_FAIL" -eq 0 ]
