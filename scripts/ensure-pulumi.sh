#!/usr/bin/env bash
# Make the real Pulumi CLI available, even on a machine without internet.
#
# 1. A `pulumi` on PATH that answers `pulumi version` wins (a normal install on a user's machine).
# 2. Otherwise the CLI is built from the Go module proxy at a pinned version into a cache outside
#    the repo: ${PULUMI_TRIDION_CACHE:-$HOME/.cache/pulumi-tridion}/pulumi-<version>/bin/pulumi.
#    The Node.js language host (pulumi-language-nodejs) is built too when the proxy serves it.
# 3. The dynamic-provider shim `pulumi-resource-pulumi-nodejs` (shipped inside @pulumi/pulumi)
#    is copied into that bin dir, so putting the dir on PATH is enough for the engine.
#
# Output contract: progress goes to stderr; the LAST line on stdout is the absolute path of the
# directory holding `pulumi`:   PULUMI_BIN_DIR=$(scripts/ensure-pulumi.sh | tail -1)
# Exits non-zero with the cause when the CLI cannot be obtained.
#
# Settings (environment):
#   PULUMI_TRIDION_CACHE                cache root (default $HOME/.cache/pulumi-tridion)
#   PULUMI_TRIDION_VERSION              pulumi version to build (default v3.274.1)
#   PULUMI_TRIDION_IGNORE_PATH=1        build/use the cached CLI even if `pulumi` is on PATH
#   PULUMI_TRIDION_NODEJS_HOST_VERSION  a version/pseudo-version of the nodejs language host
#                                       module to try first (the proxy may not serve $VERSION)
#   PULUMI_TRIDION_RETRY_NODEJS_HOST=1  ask the proxy again after an earlier "not available"
set -euo pipefail

readonly PULUMI_VERSION="${PULUMI_TRIDION_VERSION:-v3.274.1}"
readonly PKG_MOD=github.com/pulumi/pulumi/pkg/v3
readonly SDK_MOD=github.com/pulumi/pulumi/sdk/v3
readonly NODEJS_HOST_MOD=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
readonly SHIM_NAME=pulumi-resource-pulumi-nodejs

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_ROOT="${PULUMI_TRIDION_CACHE:-${HOME:?HOME is not set; set PULUMI_TRIDION_CACHE}/.cache/pulumi-tridion}"
PREFIX="$CACHE_ROOT/pulumi-$PULUMI_VERSION"
BIN_DIR="$PREFIX/bin"
HOST_STATUS_FILE="$PREFIX/nodejs-host.status"
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

report_nodejs_host() {
  if [[ -x "$BIN_DIR/pulumi-language-nodejs" ]]; then
    log "nodejs language host: $BIN_DIR/pulumi-language-nodejs"
    return 0
  fi
  local why="the Go module proxy does not serve $NODEJS_HOST_MOD"
  if grep -q '^failed' "$HOST_STATUS_FILE" 2>/dev/null; then why="its build failed, see $BUILD_LOG"; fi
  warn "pulumi-language-nodejs is not available ($why)." \
    "'pulumi up' in a folder with a nodejs Pulumi.yaml fails here with 'no language plugin" \
    "pulumi-language-nodejs found'; Automation API inline programs (LocalWorkspace with 'program')" \
    "work without it. Set PULUMI_TRIDION_NODEJS_HOST_VERSION and PULUMI_TRIDION_RETRY_NODEJS_HOST=1 to try another version."
}

finish() {
  install_shim
  report_nodejs_host
  warn_about_node
  echo "$BIN_DIR"
  exit 0
}

# --- 1. a working pulumi on PATH --------------------------------------------------------------
if [[ "${PULUMI_TRIDION_IGNORE_PATH:-}" != 1 ]] && command -v pulumi >/dev/null 2>&1; then
  on_path="$(command -v pulumi)"
  if pulumi_answers "$on_path"; then
    on_path_dir="$(cd "$(dirname "$on_path")" && pwd)"
    log "using pulumi from PATH: $on_path ($(PULUMI_SKIP_UPDATE_CHECK=true "$on_path" version 2>/dev/null))"
    if [[ "$on_path_dir" != "$BIN_DIR" ]] && ! command -v pulumi-language-nodejs >/dev/null 2>&1 \
      && [[ ! -x "$on_path_dir/pulumi-language-nodejs" ]]; then
      warn "no pulumi-language-nodejs next to $on_path or on PATH: 'pulumi up' on a nodejs program will fail."
    fi
    warn_about_node
    echo "$on_path_dir"
    exit 0
  fi
  warn "'$on_path version' failed; ignoring it and using the cached build."
fi

# --- 2. the cached build ----------------------------------------------------------------------
# Nothing left to try for the language host: it is there, or an earlier run found it unavailable.
nodejs_host_settled() {
  [[ -x "$BIN_DIR/pulumi-language-nodejs" ]] \
    || { [[ -f "$HOST_STATUS_FILE" ]] && [[ "${PULUMI_TRIDION_RETRY_NODEJS_HOST:-}" != 1 ]]; }
}

mkdir -p "$BIN_DIR"
# Callers get an absolute path even when PULUMI_TRIDION_CACHE is relative.
CACHE_ROOT="$(cd "$CACHE_ROOT" && pwd)"; PREFIX="$CACHE_ROOT/pulumi-$PULUMI_VERSION"
BIN_DIR="$PREFIX/bin"; HOST_STATUS_FILE="$PREFIX/nodejs-host.status"; BUILD_LOG="$PREFIX/build.log"
if [[ -x "$BIN_DIR/pulumi" ]] && pulumi_answers "$BIN_DIR/pulumi" && nodejs_host_settled; then
  finish
fi

# --- 3. build (one builder at a time; later callers wait, then reuse its result) ---------------
exec 9>"$CACHE_ROOT/.pulumi-$PULUMI_VERSION.lock"
if ! flock -n 9; then
  log "another process is building pulumi $PULUMI_VERSION; waiting for it (up to 1 hour)..."
  flock -w 3600 9 || die "timed out waiting for the lock $CACHE_ROOT/.pulumi-$PULUMI_VERSION.lock"
fi

GO="$(command -v go || true)"
[[ -z "$GO" && -x /usr/local/go/bin/go ]] && GO=/usr/local/go/bin/go
export GOTOOLCHAIN=local GOFLAGS=-mod=mod

WORK_DIR=""
HEARTBEAT_PID=""
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if [[ -n "$HEARTBEAT_PID" ]]; then stop_heartbeat; fi
  if [[ -n "$WORK_DIR" ]]; then rm -rf "$WORK_DIR"; fi
}
trap cleanup EXIT

# Prints one `go mod edit -replace` argument per non-relative replace directive of a go.mod file.
# Relative ones (`=> ../sdk`) only make sense inside pulumi's own repository.
versioned_replaces() {
  awk '
    function emit(line,   parts, old, new) {
      sub(/\/\/.*/, "", line)
      if (split(line, parts, /[ \t]*=>[ \t]*/) != 2) return
      split(parts[1], old, /[ \t]+/); split(parts[2], new, /[ \t]+/)
      # drop empty leading fields left by indentation
      o1 = old[1] == "" ? old[2] : old[1]; o2 = old[1] == "" ? old[3] : old[2]
      n1 = new[1]; n2 = new[2]
      if (n2 == "" || n1 ~ /^\.\.?\//) return
      printf "%s%s=%s@%s\n", o1, (o2 == "" ? "" : "@" o2), n1, n2
    }
    /^replace[ \t]*\(/ { block = 1; next }
    block && /^[ \t]*\)/ { block = 0; next }
    block { emit($0); next }
    /^replace[ \t]/ { sub(/^replace[ \t]+/, ""); emit($0) }
  ' "$1"
}

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

  local mod_file replace
  declare -A seen=()
  for mod_file in $mod_files; do
    while IFS= read -r replace; do
      local old="${replace%%=*}"
      if [[ -n "${seen[$old]:-}" ]]; then
        [[ "${seen[$old]}" != "$replace" ]] && warn "conflicting replace for $old; keeping ${seen[$old]}"
        continue
      fi
      seen[$old]="$replace"
      log "replace $replace"
      "$GO" mod edit "-replace=$replace"
    done < <(versioned_replaces "$mod_file")
  done
}

# Runs a go command with its (long) output in the build log; shows the log's end when it fails.
go_logged() {
  printf '\n$ go %s\n' "$*" >>"$BUILD_LOG"
  if "$GO" "$@" >>"$BUILD_LOG" 2>&1; then return 0; fi
  warn "'go $*' failed; the end of $BUILD_LOG:"
  tail -n 25 "$BUILD_LOG" >&2
  return 1
}

# go build into a temp name, then an atomic rename: a concurrent reader never sees half a binary.
go_build() {
  local output="$1" package="$2"
  go_logged build -p 2 -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
    -o "$BIN_DIR/.$output.tmp" "$package" || return 1
  mv -f "$BIN_DIR/.$output.tmp" "$BIN_DIR/$output"
}

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

# The nodejs language host is its own (untagged) Go module; the proxy may not serve it at all.
build_nodejs_host() {
  [[ -n "$GO" ]] || { echo "no Go toolchain" >"$HOST_STATUS_FILE"; return 0; }
  [[ -n "$WORK_DIR" ]] || prepare_wrapper_module
  local candidates=() version resolved=""
  [[ -n "${PULUMI_TRIDION_NODEJS_HOST_VERSION:-}" ]] && candidates+=("$PULUMI_TRIDION_NODEJS_HOST_VERSION")
  candidates+=("$PULUMI_VERSION" latest)
  for version in "${candidates[@]}"; do
    if "$GO" list -m "$NODEJS_HOST_MOD@$version" >/dev/null 2>"$WORK_DIR/host.err"; then
      resolved="$version"; break
    fi
    log "proxy has no $NODEJS_HOST_MOD@$version: $(grep -m1 -o 'server response: .*\|[0-9][0-9][0-9] [A-Za-z ]*$' "$WORK_DIR/host.err" || head -1 "$WORK_DIR/host.err")"
  done
  if [[ -z "$resolved" ]]; then
    printf 'unavailable\nchecked=%s\ntried=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${candidates[*]}" >"$HOST_STATUS_FILE"
    return 0
  fi
  log "building pulumi-language-nodejs from $NODEJS_HOST_MOD@$resolved"
  start_heartbeat "compiling pulumi-language-nodejs"
  # The wrapper already pins pkg/v3 and sdk/v3 to $PULUMI_VERSION, which MVS keeps over the
  # host's placeholder requirement on pkg/v3.
  if go_logged get "$NODEJS_HOST_MOD@$resolved" && go_build pulumi-language-nodejs "$NODEJS_HOST_MOD"; then
    printf 'built\nfrom=%s@%s\n' "$NODEJS_HOST_MOD" "$resolved" >"$HOST_STATUS_FILE"
  else
    warn "building pulumi-language-nodejs from $NODEJS_HOST_MOD@$resolved failed (see above)."
    printf 'failed\nfrom=%s@%s\n' "$NODEJS_HOST_MOD" "$resolved" >"$HOST_STATUS_FILE"
  fi
  stop_heartbeat
}

if [[ -x "$BIN_DIR/pulumi" ]] && pulumi_answers "$BIN_DIR/pulumi"; then
  log "pulumi $PULUMI_VERSION is already built in $BIN_DIR"
else
  build_cli
fi
nodejs_host_settled || build_nodejs_host
finish
