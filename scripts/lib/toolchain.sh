# shellcheck shell=bash
# Shared install logic for scripts/serve.sh, scripts/test.sh and scripts/bench.sh.
# Source it; do not run it. Every ensure_* function is idempotent: it checks first and installs
# only what is missing or at the wrong version. Only package registries are used (crates.io, npm,
# Debian); nothing downloads a prebuilt tool from anywhere else.

HUDDLE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HUDDLE_TOOLS="$HUDDLE_ROOT/.tools"           # repo-local npm tools (wasm-opt); self-ignored by git
TRUNK_VERSION="0.21.14"
BINARYEN_VERSION="132.0.0"
WASM_TARGET="wasm32-unknown-unknown"
# Where cargo puts builds (CARGO_TARGET_DIR, relative to the repo root, is honoured).
HUDDLE_TARGET_DIR="$(cd "$HUDDLE_ROOT" && mkdir -p "${CARGO_TARGET_DIR:-target}" && cd "${CARGO_TARGET_DIR:-target}" && pwd)"
HUDDLE_SERVER_PATH="$HUDDLE_TARGET_DIR/release/huddle-server"

# trunk must never reach for the network: its version check calls the registry API even offline.
export TRUNK_SKIP_VERSION_CHECK=true
# The npm wasm-opt first (Debian's binaryen 108 silently breaks release wasm), then cargo's bin dir.
export PATH="$HUDDLE_TOOLS/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

tc_log() { printf '==> %s\n' "$*" >&2; }
tc_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run as root, or through sudo when there is one.
tc_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        tc_die "need root to run: $*"; fi
}

# The exact wasm-bindgen version in Cargo.lock (wasm-bindgen-cli must match it to the patch).
wasm_bindgen_lock_version() {
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' \
        "$HUDDLE_ROOT/Cargo.lock"
}

ensure_wasm_target() {
    if rustup target list --installed 2>/dev/null | grep -qx "$WASM_TARGET"; then
        tc_log "rust target $WASM_TARGET: present"
    else
        tc_log "rust target $WASM_TARGET: installing"
        rustup target add "$WASM_TARGET"
    fi
}

ensure_trunk() {
    if [ "$(trunk --version 2>/dev/null)" = "trunk $TRUNK_VERSION" ]; then
        tc_log "trunk $TRUNK_VERSION: present"
    else
        # 0.22.x needs a newer rustc than this machine has; --locked keeps its tested deps (~9 min).
        tc_log "trunk $TRUNK_VERSION: installing with cargo (about 9 minutes on 2 cores)"
        cargo install --locked trunk --version "$TRUNK_VERSION" --force
    fi
}

ensure_wasm_bindgen() {
    local v
    v="$(wasm_bindgen_lock_version)"
    [ -n "$v" ] || tc_die "no wasm-bindgen package in Cargo.lock"
    if [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $v" ] &&
        [ "$(wasm-bindgen-test-runner --version 2>/dev/null)" = "wasm-bindgen-test-runner $v" ]; then
        tc_log "wasm-bindgen-cli $v: present"
    else
        # Not --locked: the CLI's own lockfile pins a crate the registry lacks (~4 min).
        tc_log "wasm-bindgen-cli $v (from Cargo.lock): installing with cargo (about 4 minutes)"
        cargo install wasm-bindgen-cli --version "$v" --force
    fi
}

ensure_binaryen() {
    if "$HUDDLE_TOOLS/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}\b"; then
        tc_log "wasm-opt ${BINARYEN_VERSION%%.*} (npm binaryen): present"
    else
        tc_log "wasm-opt: installing npm binaryen@$BINARYEN_VERSION into .tools/"
        mkdir -p "$HUDDLE_TOOLS"
        printf '*\n' >"$HUDDLE_TOOLS/.gitignore"
        (cd "$HUDDLE_TOOLS" && npm install --no-audit --no-fund --loglevel=error \
            "binaryen@$BINARYEN_VERSION" >&2)
        "$HUDDLE_TOOLS/node_modules/.bin/wasm-opt" --version >/dev/null ||
            tc_die "wasm-opt did not install"
    fi
}

# Debian packages for the browser tests and the fake camera. python3-pil is checked against
# /usr/bin/python3, the interpreter Debian's package installs into.
ensure_apt_packages() {
    local missing=() pkg
    for pkg in chromium chromium-driver ffmpeg python3-pil; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        tc_log "apt packages chromium chromium-driver ffmpeg python3-pil: present"
    else
        tc_log "apt packages: installing ${missing[*]}"
        tc_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        tc_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
    fi
}

# npm ci in DIR when PACKAGE is missing or not the version DIR's package-lock.json pins.
ensure_npm_locked() {
    local dir="$1" pkg="$2" want have
    want="$(node -p "require('$dir/package-lock.json').packages['node_modules/$pkg'].version")"
    have="$(node -p "try{require('$dir/node_modules/$pkg/package.json').version}catch(e){''}")"
    if [ -n "$want" ] && [ "$want" = "$have" ]; then
        tc_log "$pkg $want (${dir#"$HUDDLE_ROOT"/}): present"
    else
        tc_log "$pkg $want: npm ci in ${dir#"$HUDDLE_ROOT"/}"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
    fi
}

# playwright-core for the e2e suite (it downloads no browser).
ensure_e2e_node_modules() {
    ensure_npm_locked "$HUDDLE_ROOT/tests/e2e" playwright-core
}

ensure_build_tools() {
    ensure_wasm_target
    ensure_binaryen
    ensure_wasm_bindgen
    ensure_trunk
}

# Build the app into $HUDDLE_ROOT/dist with trunk (release: the wasm-opt'd build users get).
trunk_build_release() {
    if [ -f "$HUDDLE_ROOT/Trunk.toml" ] || [ -f "$HUDDLE_ROOT/index.html" ]; then
        (cd "$HUDDLE_ROOT" && trunk build --release)
    elif [ -f "$HUDDLE_ROOT/crates/app/index.html" ]; then
        (cd "$HUDDLE_ROOT/crates/app" && trunk build --release --dist "$HUDDLE_ROOT/dist")
    else
        tc_die "no Trunk.toml or index.html at the repo root or in crates/app"
    fi
}
