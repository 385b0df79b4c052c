#!/usr/bin/env bash
# Make the real Pulumi CLI and its Node.js and YAML language hosts available, even on a machine
# without internet: `pulumi up` in a folder needs the CLI and the host of the project's runtime.
#
# 1. A `pulumi` on PATH that answers `pulumi version` wins (a normal install on a user's machine,
#    which ships pulumi-language-nodejs beside it).
# 2. Otherwise the CLI is built from the Go module proxy at a pinned version into a cache outside
#    the repo: ${PULUMI_TRIDION_CACHE:-$HOME/.cache/pulumi-tridion}/pulumi-<version>/bin/pulumi.
# 3. The Node.js language host (pulumi-language-nodejs): a working one on PATH or beside `pulumi`
#    is used; otherwise it is built once into the cache's bin dir from the source kept in the
#    workspace (../shared/tools/pulumi-language-nodejs/build.sh; the Go module proxy refuses its
#    module path). Without it the script fails: `pulumi up` in a folder cannot run.
# 4. The YAML language host (pulumi-language-yaml): a working one on PATH or beside `pulumi` is
#    used (a normal Pulumi install ships it); otherwise it is built once into the cache's bin dir
#    from the Go module proxy: `go install github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml`
#    at a pinned version (about three minutes on 2 cores with a cold module cache). Without it
#    the script fails: `pulumi up` of a YAML program cannot run.
# 5. The dynamic-provider shim `pulumi-resource-pulumi-nodejs` (shipped inside @pulumi/pulumi)
#    is copied into the cache's bin dir, so putting the dirs on PATH is enough for the engine.
#
# Output contract: progress goes to stderr, with the time each tool took; the LAST line on stdout
# is what to put on PATH: one directory, or several joined by ":", the first holding `pulumi`,
# together holding `pulumi`, `pulumi-language-nodejs` and `pulumi-language-yaml`:
#   export PATH="$(scripts/ensure-pulumi.sh | tail -1):$PATH"
# Exits non-zero with the cause when one cannot be obtained.
#
# One argument limits the work to one tool and what it needs (CI times each as its own phase):
#   cli      only `pulumi` (the last line is its directory)
#   nodejs   `pulumi` and the Node.js language host (and the shim)
#   yaml     `pulumi` and the YAML language host
# Without one, all of them.
#
# Settings (environment):
#   PULUMI_TRIDION_CACHE                cache root (default $HOME/.cache/pulumi-tridion)
#   PULUMI_TRIDION_VERSION              pulumi version to build (default v3.274.1)
#   PULUMI_TRIDION_YAML_VERSION         pulumi-yaml version to build (default v1.25.0)
#   PULUMI_TRIDION_IGNORE_PATH=1        build/use the cached CLI even if `pulumi` is on PATH
#   PULUMI_TRIDION_LANGUAGE_HOST_SOURCE the folder holding the language host's build.sh
#                                       (default ../shared/tools/pulumi-language-nodejs)
set -euo pipefail

readonly PULUMI_VERSION="${PULUMI_TRIDION_VERSION:-v3.274.1}"
readonly PKG_MOD=github.com/pulumi/pulumi/pkg/v3
readonly SDK_MOD=github.com/pulumi/pulumi/sdk/v3
readonly HOST_NAME=pulumi-language-nodejs
readonly SHIM_NAME=pulumi-resource-pulumi-nodejs
readonly YAML_HOST_NAME=pulumi-language-yaml
readonly YAML_VERSION="${PULUMI_TRIDION_YAML_VERSION:-v1.25.0}"
readonly YAML_PKG=github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml

ONLY="${1:-all}"
case "$ONLY" in
  all | cli | nodejs | yaml) ;;
  *) printf 'ensure-pulumi: ERROR: unknown tool %s; give one of cli, nodejs, yaml, or nothing for all.\n' "$ONLY" >&2; exit 2 ;;
esac
STARTED=$SECONDS

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HOST_SOURCE="${PULUMI_TRIDION_LANGUAGE_HOST_SOURCE:-$REPO_ROOT/../shared/tools/pulumi-language-nodejs}"
CACHE_ROOT="${PULUMI_TRIDION_CACHE:-${HOME:?HOME is not set; set PULUMI_TRIDION_CACHE}/.cache/pulumi-tridion}"
PREFIX="$CACHE_ROOT/pulumi-$PULUMI_VERSION"
BIN_DIR="$PREFIX/bin"
BUILD_LOG="$PREFIX/build.log"

log() { printf 'ensure-pulumi: %s\n' "$*" >&2; }
warn() { printf 'ensure-pulumi: WARNING: %s\n' "$*" >&2; }
die() { printf 'ensure-pulumi: ERROR: %s\n' "$*" >&2; exit 1; }

# `pulumi version` without an update check (which would need the internet).
pulumi_answers() {
  PULUMI_SKIP_UPDATE_CHECK=true timeout 60 "$1" version >/dev/null 2>&1
}

# The engine starts dynamic providers through this shim, looked up next to `pulumi` and on PATH.
# It runs `node` from PATH and resolves @pulumi/pulumi from its working directory (the program's
# folder; for Automation API inline programs, the Node process's cwd), so one copy serves all.
install_shim() {
  local source="$REPO_ROOT/node_modules/@pulumi/pulumi/$SHIM_NAME"
  if [[ ! -f "$source" ]]; then
    warn "$SHIM_NAME not found at $source (run 'npm ci' in $REPO_ROOT first);" \
      "dynamic providers need it on PATH: add node_modules/@pulumi/pulumi to PATH or rerun this script."
    return 0
  fi
  if cmp -s "$source" "$BIN_DIR/$SHIM_NAME" 2>/dev/null; then return 0; fi
  local tmp="$BIN_DIR/.$SHIM_NAME.$$"
  cp "$source" "$tmp" && chmod 755 "$tmp" && mv -f "$tmp" "$BIN_DIR/$SHIM_NAME"
  log "copied $SHIM_NAME from @pulumi/pulumi into $BIN_DIR"
}

# The shim and the language host run `node` from PATH; @pulumi/pulumi needs Node >= 22.
warn_about_node() {
  local major
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none)"
  if [[ "$major" == none ]]; then
    warn "no 'node' on PATH; the engine runs Node programs and dynamic providers with it." \
      "Put $REPO_ROOT/node_modules/.bin first on PATH."
  elif (( major < 22 )); then
    warn "'node' on PATH is Node $major; @pulumi/pulumi needs Node >= 22." \
      "Put $REPO_ROOT/node_modules/.bin first on PATH when running pulumi."
  fi
}

WORK_DIR=""
HEARTBEAT_PID=""
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if [[ -n "$HEARTBEAT_PID" ]]; then stop_heartbeat; fi
  if [[ -n "$WORK_DIR" ]]; then rm -rf "$WORK_DIR"; fi
}
trap cleanup EXIT

# A progress line a minute during long steps. The sleep is killed with the loop, so no orphan
# keeps the caller's stdout/stderr pipes open.
start_heartbeat() {
  local started=$SECONDS what="$1"
  (
    sleeper=""
    trap '[[ -n "$sleeper" ]] && kill "$sleeper" 2>/dev/null; exit 0' TERM
    while :; do
      sleep 60 & sleeper=$!
      wait "$sleeper"
      log "still $what ($(( SECONDS - started ))s)..."
    done
  ) </dev/null >/dev/null &
  HEARTBEAT_PID=$!
}
stop_heartbeat() { kill "$HEARTBEAT_PID" 2>/dev/null || true; wait "$HEARTBEAT_PID" 2>/dev/null || true; HEARTBEAT_PID=""; }

# A language host that runs (it answers -help; an unusable binary would fail `pulumi up` later).
host_answers() {
  [[ -x "$1" ]] && timeout 30 "$1" -help >/dev/null 2>&1
}

# The language host on PATH, or beside `pulumi` in $1: its directory, or nothing.
host_dir_near() {
  local candidate
  for candidate in "$1/$HOST_NAME" "$(command -v "$HOST_NAME" 2>/dev/null || true)"; do
    if [[ -n "$candidate" ]] && host_answers "$candidate"; then
      (cd "$(dirname "$candidate")" && pwd)
      return 0
    fi
  done
  return 1
}

# Builds the language host into $BIN_DIR from the workspace's source (once; later runs reuse it).
build_nodejs_host() {
  if host_answers "$BIN_DIR/$HOST_NAME"; then return 0; fi
  [[ -x "$HOST_SOURCE/build.sh" || -f "$HOST_SOURCE/build.sh" ]] || die "no $HOST_NAME on PATH or beside pulumi, and no source to build it from" \
    "($HOST_SOURCE/build.sh). Install Pulumi normally (it ships $HOST_NAME), or set PULUMI_TRIDION_LANGUAGE_HOST_SOURCE."
  [[ -n "$GO" ]] || die "no Go toolchain to build $HOST_NAME (Go >= 1.26.6, /usr/local/go/bin/go), and none on PATH."
  mkdir -p "$BIN_DIR"
  exec 8>"$CACHE_ROOT/.$HOST_NAME-$PULUMI_VERSION.lock"
  if ! flock -n 8; then
    log "another process is building $HOST_NAME; waiting for it..."
    flock -w 3600 8 || die "timed out waiting for the lock $CACHE_ROOT/.$HOST_NAME-$PULUMI_VERSION.lock"
  fi
  if host_answers "$BIN_DIR/$HOST_NAME"; then return 0; fi
  log "building $HOST_NAME from $HOST_SOURCE into $BIN_DIR (about a minute once the CLI's Go modules are cached)"
  local started=$SECONDS tmp_out
  tmp_out="$(mktemp -d "${TMPDIR:-/tmp}/pulumi-tridion-host.XXXXXX")"
  start_heartbeat "compiling $HOST_NAME"
  if ! GOTOOLCHAIN=local bash "$HOST_SOURCE/build.sh" "$tmp_out" >>"$BUILD_LOG" 2>&1; then
    stop_heartbeat
    rm -rf "$tmp_out"
    warn "building $HOST_NAME failed; the end of $BUILD_LOG:"
    tail -n 25 "$BUILD_LOG" >&2
    die "cannot build $HOST_NAME (see above): install Pulumi normally, which ships it."
  fi
  stop_heartbeat
  mv -f "$tmp_out/$HOST_NAME" "$BIN_DIR/$HOST_NAME"
  rm -rf "$tmp_out"
  host_answers "$BIN_DIR/$HOST_NAME" || die "the freshly built $BIN_DIR/$HOST_NAME does not run."
  log "built $BIN_DIR/$HOST_NAME in $(( SECONDS - started ))s"
}

# The cached YAML host is the pinned version: built by this script (which notes the version
# beside it) at that version, or put there by hand (no note: trusted as it is).
yaml_host_cached() {
  host_answers "$BIN_DIR/$YAML_HOST_NAME" || return 1
  local noted
  noted="$(cat "$BIN_DIR/.$YAML_HOST_NAME.version" 2>/dev/null || true)"
  [[ -z "$noted" || "$noted" == "$YAML_VERSION" ]]
}

# A YAML host beside `pulumi` in $1 or on PATH, other than the cache's own (which
# build_yaml_host checks against the pinned version): its directory, or nothing.
yaml_dir_near() {
  local candidate dir
  for candidate in "$1/$YAML_HOST_NAME" "$(command -v "$YAML_HOST_NAME" 2>/dev/null || true)"; do
    [[ -n "$candidate" && -e "$candidate" ]] || continue
    dir="$(cd "$(dirname "$candidate")" && pwd)"
    if [[ "$dir" != "$BIN_DIR" ]] && host_answers "$candidate"; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

# Builds the YAML language host into $BIN_DIR from the Go module proxy (once; later runs reuse it).
build_yaml_host() {
  if yaml_host_cached; then return 0; fi
  [[ -n "$GO" ]] || die "no $YAML_HOST_NAME on PATH or beside pulumi, and no Go toolchain to build it" \
    "(Go >= 1.26, /usr/local/go/bin/go). Install Pulumi normally (it ships $YAML_HOST_NAME), or install Go."
  mkdir -p "$BIN_DIR"
  exec 7>"$CACHE_ROOT/.$YAML_HOST_NAME-$YAML_VERSION.lock"
  if ! flock -n 7; then
    log "another process is building $YAML_HOST_NAME; waiting for it..."
    flock -w 3600 7 || die "timed out waiting for the lock $CACHE_ROOT/.$YAML_HOST_NAME-$YAML_VERSION.lock"
  fi
  if yaml_host_cached; then return 0; fi
  log "building $YAML_HOST_NAME $YAML_VERSION from the Go module proxy into $BIN_DIR"
  log "(about three minutes on 2 cores with a cold module cache; go's output goes to $BUILD_LOG)"
  local started=$SECONDS tmp_out
  tmp_out="$(mktemp -d "${TMPDIR:-/tmp}/pulumi-tridion-yaml.XXXXXX")"
  printf '\n$ go install %s@%s\n' "$YAML_PKG" "$YAML_VERSION" >>"$BUILD_LOG"
  start_heartbeat "building $YAML_HOST_NAME"
  # Outside any module (cwd: the empty temp dir) and without this script's GOFLAGS=-mod=mod,
  # which `go install pkg@version` refuses; GOBIN in the temp dir, then one atomic rename.
  if ! (cd "$tmp_out" && GOBIN="$tmp_out" GOFLAGS= GOTOOLCHAIN=local \
    "$GO" install -trimpath -ldflags "-s -w" "$YAML_PKG@$YAML_VERSION") >>"$BUILD_LOG" 2>&1; then
    stop_heartbeat
    rm -rf "$tmp_out"
    warn "building $YAML_HOST_NAME failed; the end of $BUILD_LOG:"
    tail -n 25 "$BUILD_LOG" >&2
    die "cannot build $YAML_HOST_NAME $YAML_VERSION (go's error is above; GOPROXY=$("$GO" env GOPROXY))." \
      "Install Pulumi normally (it ships $YAML_HOST_NAME) and put it on PATH, or set PULUMI_TRIDION_YAML_VERSION to a version the Go module proxy serves."
  fi
  stop_heartbeat
  mv -f "$tmp_out/$YAML_HOST_NAME" "$BIN_DIR/.$YAML_HOST_NAME.tmp"
  mv -f "$BIN_DIR/.$YAML_HOST_NAME.tmp" "$BIN_DIR/$YAML_HOST_NAME"
  printf '%s\n' "$YAML_VERSION" >"$BIN_DIR/.$YAML_HOST_NAME.version"
  rm -rf "$tmp_out"
  host_answers "$BIN_DIR/$YAML_HOST_NAME" || die "the freshly built $BIN_DIR/$YAML_HOST_NAME does not run."
  log "built $BIN_DIR/$YAML_HOST_NAME in $(( SECONDS - started ))s"
}

# Prints the PATH fragment for a pulumi in $1: that dir, plus where the language hosts are.
finish() {
  local pulumi_dir="$1" host_dir="" yaml_dir="" t
  log "pulumi: $pulumi_dir/pulumi (ready after $(( SECONDS - STARTED ))s)"
  if [[ "$ONLY" == cli ]]; then echo "$pulumi_dir"; exit 0; fi
  if [[ "$ONLY" == all || "$ONLY" == nodejs ]]; then
    t=$SECONDS
    if [[ "$pulumi_dir" == "$BIN_DIR" ]]; then install_shim; fi
    if ! host_dir="$(host_dir_near "$pulumi_dir")"; then
      build_nodejs_host
      host_dir="$BIN_DIR"
    fi
    log "nodejs language host: $host_dir/$HOST_NAME (ready after $(( SECONDS - t ))s)"
    warn_about_node
  fi
  if [[ "$ONLY" == all || "$ONLY" == yaml ]]; then
    t=$SECONDS
    if ! yaml_dir="$(yaml_dir_near "$pulumi_dir")"; then
      build_yaml_host
      yaml_dir="$BIN_DIR"
    fi
    log "yaml language host: $yaml_dir/$YAML_HOST_NAME (ready after $(( SECONDS - t ))s)"
  fi
  # pulumi's dir first, then each other dir once.
  local dirs="$pulumi_dir" dir
  for dir in "$host_dir" "$yaml_dir"; do
    if [[ -n "$dir" && ":$dirs:" != *":$dir:"* ]]; then dirs="$dirs:$dir"; fi
  done
  echo "$dirs"
  exit 0
}

# --- 1. a working pulumi on PATH --------------------------------------------------------------
if [[ "${PULUMI_TRIDION_IGNORE_PATH:-}" != 1 ]] && command -v pulumi >/dev/null 2>&1; then
  on_path="$(command -v pulumi)"
  if pulumi_answers "$on_path"; then
    on_path_dir="$(cd "$(dirname "$on_path")" && pwd)"
    log "using pulumi from PATH: $on_path ($(PULUMI_SKIP_UPDATE_CHECK=true "$on_path" version 2>/dev/null))"
    GO="$(command -v go || true)"; [[ -z "$GO" && -x /usr/local/go/bin/go ]] && GO=/usr/local/go/bin/go
    export GOTOOLCHAIN=local GOFLAGS=-mod=mod
    mkdir -p "$BIN_DIR"; CACHE_ROOT="$(cd "$CACHE_ROOT" && pwd)"; PREFIX="$CACHE_ROOT/pulumi-$PULUMI_VERSION"
    BIN_DIR="$PREFIX/bin"; BUILD_LOG="$PREFIX/build.log"
    finish "$on_path_dir"
  fi
  warn "'$on_path version' failed; ignoring it and using the cached build."
fi

# --- 2. the cached build ----------------------------------------------------------------------
mkdir -p "$BIN_DIR"
# Callers get an absolute path even when PULUMI_TRIDION_CACHE is relative.
CACHE_ROOT="$(cd "$CACHE_ROOT" && pwd)"; PREFIX="$CACHE_ROOT/pulumi-$PULUMI_VERSION"
BIN_DIR="$PREFIX/bin"; BUILD_LOG="$PREFIX/build.log"
GO="$(command -v go || true)"
[[ -z "$GO" && -x /usr/local/go/bin/go ]] && GO=/usr/local/go/bin/go
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
if [[ -x "$BIN_DIR/pulumi" ]] && pulumi_answers "$BIN_DIR/pulumi"; then
  finish "$BIN_DIR"
fi

# --- 3. build (one builder at a time; later callers wait, then reuse its result) ---------------
exec 9>"$CACHE_ROOT/.pulumi-$PULUMI_VERSION.lock"
if ! flock -n 9; then
  log "another process is building pulumi $PULUMI_VERSION; waiting for it (up to 1 hour)..."
  flock -w 3600 9 || die "timed out waiting for the lock $CACHE_ROOT/.pulumi-$PULUMI_VERSION.lock"
fi


# versioned_replaces: the replace directives of a go.mod file, to repeat in a wrapper module.
# shellcheck source=lib/go-wrapper.sh
source "$REPO_ROOT/scripts/lib/go-wrapper.sh"

# Starts a wrapper module in $WORK_DIR that reproduces pulumi's own replace directives.
prepare_wrapper_module() {
  WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/pulumi-tridion-build.XXXXXX")"
  cd "$WORK_DIR"
  "$GO" mod init local/pulumi-cli >/dev/null 2>&1

  # The proxy may serve a version's go.mod but not its source zip: ask for both up front.
  local mod_files need_go
  # shellcheck disable=SC2015  # either failure means the same thing
  mod_files="$("$GO" list -m -f '{{.GoMod}}' "$PKG_MOD@$PULUMI_VERSION" "$SDK_MOD@$PULUMI_VERSION" 2>"$WORK_DIR/list.err")" \
    && "$GO" mod download "$PKG_MOD@$PULUMI_VERSION" "$SDK_MOD@$PULUMI_VERSION" 2>"$WORK_DIR/list.err" \
    || die "cannot get pulumi $PULUMI_VERSION from the Go module proxy ($("$GO" env GOPROXY)):" \
      "$(grep -m1 'go: ' "$WORK_DIR/list.err" || tail -1 "$WORK_DIR/list.err")." \
      "Install pulumi (https://www.pulumi.com/docs/install/) and put it on PATH, or set PULUMI_TRIDION_VERSION to a version the proxy serves."
  need_go="$("$GO" list -m -f '{{.GoVersion}}' "$PKG_MOD@$PULUMI_VERSION")"
  local have_go
  have_go="$("$GO" env GOVERSION)"; have_go="${have_go#go}"
  if [[ "$(printf '%s\n%s\n' "$need_go" "$have_go" | sort -V | head -1)" != "$need_go" ]]; then
    die "pulumi $PULUMI_VERSION needs Go >= $need_go, found $have_go ($GO). Install a newer Go or put pulumi on PATH."
  fi

  repeat_replaces "$PKG_MOD@$PULUMI_VERSION" "$SDK_MOD@$PULUMI_VERSION" \
    || die "cannot repeat the replace directives of pulumi $PULUMI_VERSION in the wrapper module (see above)."
}

# go build into a temp name, then an atomic rename: a concurrent reader never sees half a binary.
go_build() {
  local output="$1" package="$2"
  go_logged build -p 2 -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
    -o "$BIN_DIR/.$output.tmp" "$package" || return 1
  mv -f "$BIN_DIR/.$output.tmp" "$BIN_DIR/$output"
}


build_cli() {
  [[ -n "$GO" ]] || die "no 'pulumi' on PATH and no Go toolchain to build it." \
    "Install pulumi (https://www.pulumi.com/docs/install/) or Go >= 1.26 (/usr/local/go/bin/go)."
  log "building pulumi $PULUMI_VERSION from the Go module proxy into $BIN_DIR"
  log "(a cold build downloads about 300 MB of modules and compiles for about 5 minutes on 2 cores;"
  log " go's output goes to $BUILD_LOG)"
  local started=$SECONDS
  : >"$BUILD_LOG"
  prepare_wrapper_module
  start_heartbeat "downloading modules"
  go_logged get "$PKG_MOD/cmd/pulumi@$PULUMI_VERSION" "$SDK_MOD@$PULUMI_VERSION" \
    || die "downloading the modules of pulumi $PULUMI_VERSION failed (see above); is the Go module" \
      "proxy reachable (GOPROXY=$("$GO" env GOPROXY))? Otherwise install pulumi and put it on PATH."
  stop_heartbeat
  start_heartbeat "compiling pulumi"
  go_build pulumi "$PKG_MOD/cmd/pulumi" || die "compiling pulumi $PULUMI_VERSION failed (see above)."
  stop_heartbeat
  pulumi_answers "$BIN_DIR/pulumi" || die "the freshly built $BIN_DIR/pulumi does not run."
  printf 'version=%s\ngo=%s\nbuilt=%s\nseconds=%s\n' "$PULUMI_VERSION" "$("$GO" env GOVERSION)" \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(( SECONDS - started ))" >"$PREFIX/build-info.txt"
  log "built $BIN_DIR/pulumi in $(( SECONDS - started ))s"
}

if [[ -x "$BIN_DIR/pulumi" ]] && pulumi_answers "$BIN_DIR/pulumi"; then
  log "pulumi $PULUMI_VERSION is already built in $BIN_DIR"
else
  build_cli
fi
finish "$BIN_DIR"
