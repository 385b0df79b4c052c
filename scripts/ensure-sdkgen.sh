#!/usr/bin/env bash
# Make the SDK generators available: two small Go programs (scripts/sdkgen/pulumi, for Node.js,
# Python and Go; scripts/sdkgen/dotnet, for C#) that call Pulumi's own code generators on the
# package schema. They are built from the Go module proxy, like the CLI in ensure-pulumi.sh, into
# a cache outside the repository, once per source and version:
#   ${PULUMI_TRIDION_CACHE:-$HOME/.cache/pulumi-tridion}/sdkgen/<sources' hash>/sdkgen-{pulumi,dotnet}
#
# The generators' versions:
#   sdkgen-pulumi  github.com/pulumi/pulumi/pkg/v3 at the CLI's version (v3.274.1)
#   sdkgen-dotnet  github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3 v3.112.1, with the
#                  github.com/pulumi/pulumi/pkg/v3 it pins (v3.258.0): a wrapper module of its own
#
# Output contract: progress goes to stderr; the LAST line on stdout is the directory holding both
# programs. Exits non-zero with the cause when either cannot be built.
#
# Settings (environment):
#   PULUMI_TRIDION_CACHE    cache root (default $HOME/.cache/pulumi-tridion)
#   PULUMI_TRIDION_VERSION  the CLI's version, and so sdkgen-pulumi's pkg/v3 (default v3.274.1)
set -euo pipefail

readonly PULUMI_VERSION="${PULUMI_TRIDION_VERSION:-v3.274.1}"
readonly DOTNET_MOD=github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3
readonly DOTNET_VERSION=v3.112.1
readonly PKG_MOD=github.com/pulumi/pulumi/pkg/v3
readonly SDK_MOD=github.com/pulumi/pulumi/sdk/v3

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_ROOT="${PULUMI_TRIDION_CACHE:-${HOME:?HOME is not set; set PULUMI_TRIDION_CACHE}/.cache/pulumi-tridion}"

log() { printf 'ensure-sdkgen: %s\n' "$*" >&2; }
warn() { printf 'ensure-sdkgen: WARNING: %s\n' "$*" >&2; }
die() { printf 'ensure-sdkgen: ERROR: %s\n' "$*" >&2; exit 1; }

# shellcheck source=lib/go-wrapper.sh
source "$REPO_ROOT/scripts/lib/go-wrapper.sh"

GO="$(command -v go || true)"
[[ -z "$GO" && -x /usr/local/go/bin/go ]] && GO=/usr/local/go/bin/go
[[ -n "$GO" ]] || die "no Go toolchain to build the SDK generators (Go >= 1.26, /usr/local/go/bin/go)."
export GOTOOLCHAIN=local GOFLAGS=-mod=mod

# One cache folder per generator sources and versions: a change of either builds anew.
key="$( { cat "$REPO_ROOT/scripts/sdkgen/pulumi/main.go" "$REPO_ROOT/scripts/sdkgen/dotnet/main.go" \
  "$REPO_ROOT/scripts/lib/go-wrapper.sh"; echo "$PULUMI_VERSION $DOTNET_VERSION $("$GO" env GOVERSION)"; } | sha256sum | cut -c1-16)"
mkdir -p "$CACHE_ROOT/sdkgen"
CACHE_ROOT="$(cd "$CACHE_ROOT" && pwd)"
BIN_DIR="$CACHE_ROOT/sdkgen/$key"
BUILD_LOG="$CACHE_ROOT/sdkgen/$key.build.log"

built() { [[ -x "$BIN_DIR/sdkgen-pulumi" && -x "$BIN_DIR/sdkgen-dotnet" ]]; }
if built; then echo "$BIN_DIR"; exit 0; fi

exec 9>"$CACHE_ROOT/sdkgen/.$key.lock"
if ! flock -n 9; then
  log "another process is building the SDK generators; waiting for it..."
  flock -w 3600 9 || die "timed out waiting for the lock $CACHE_ROOT/sdkgen/.$key.lock"
fi
if built; then echo "$BIN_DIR"; exit 0; fi

WORK_DIR=""
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() { if [[ -n "$WORK_DIR" ]]; then rm -rf "$WORK_DIR"; fi; }
trap cleanup EXIT

# build NAME MODULE@VERSION...: scripts/sdkgen/NAME/main.go in a wrapper module requiring those
# modules and repeating their replace directives, built to $BIN_DIR/sdkgen-NAME.
build() {
  local name="$1" started=$SECONDS; shift
  WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/pulumi-tridion-sdkgen.XXXXXX")"
  cp "$REPO_ROOT/scripts/sdkgen/$name/main.go" "$WORK_DIR/"
  (
    cd "$WORK_DIR"
    "$GO" mod init "local/sdkgen-$name" >/dev/null 2>&1
    repeat_replaces "$@" 2>>"$BUILD_LOG" || die "cannot get $* from the Go module proxy ($("$GO" env GOPROXY)); see $BUILD_LOG."
    go_logged get "$@" || die "downloading the modules of sdkgen-$name failed (see above)."
    # The CLI's build flags (ensure-pulumi.sh): the packages both compile are compiled once.
    go_logged build -p 2 -trimpath -tags osusergo,grpcnotrace -ldflags "-s -w" -o "$BIN_DIR/.sdkgen-$name.tmp" . \
      || die "compiling sdkgen-$name failed (see above)."
  )
  mv -f "$BIN_DIR/.sdkgen-$name.tmp" "$BIN_DIR/sdkgen-$name"
  rm -rf "$WORK_DIR"; WORK_DIR=""
  log "built sdkgen-$name in $(( SECONDS - started ))s"
}

mkdir -p "$BIN_DIR"
: >"$BUILD_LOG"
log "building the SDK generators into $BIN_DIR (go's output goes to $BUILD_LOG)"
[[ -x "$BIN_DIR/sdkgen-pulumi" ]] || build pulumi "$PKG_MOD@$PULUMI_VERSION" "$SDK_MOD@$PULUMI_VERSION"
[[ -x "$BIN_DIR/sdkgen-dotnet" ]] || build dotnet "$DOTNET_MOD@$DOTNET_VERSION"
echo "$BIN_DIR"
