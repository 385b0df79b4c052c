#!/usr/bin/env bash
# Checks that the Pulumi CLI from scripts/ensure-pulumi.sh runs a dynamic provider entirely
# offline: file backend, passphrase secrets, no update check, no plugin downloads.
#   - pulumi version, login, stack init
#   - an Automation API inline program with one dynamic resource: up, preview, destroy
#   - if pulumi-language-nodejs is there: the same as a CLI program (`pulumi up --yes` in a folder)
# Exits non-zero on the first failure. Needs `npm ci` first (for @pulumi/pulumi and Node 22).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Node 22 first (the system node may be older); it runs programs and the dynamic-provider shim.
export PATH="$REPO_ROOT/node_modules/.bin:$PATH"
PULUMI_BIN_DIR="$("$REPO_ROOT/scripts/ensure-pulumi.sh" | tail -1)"
export PATH="$PULUMI_BIN_DIR:$PATH"

# Under the repo (git-ignored .cache/) so that @pulumi/pulumi resolves for programs and the shim.
mkdir -p "$REPO_ROOT/.cache"
SMOKE_DIR="$(mktemp -d "$REPO_ROOT/.cache/pulumi-smoke.XXXXXX")"
trap 'rm -rf "$SMOKE_DIR"' EXIT
mkdir -p "$SMOKE_DIR/state" "$SMOKE_DIR/home" "$SMOKE_DIR/inline" "$SMOKE_DIR/cli"

export PULUMI_BACKEND_URL="file://$SMOKE_DIR/state"
export PULUMI_CONFIG_PASSPHRASE=smoke-test
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
export PULUMI_HOME="$SMOKE_DIR/home"

step() { printf '\n== %s\n' "$*" >&2; }

step "pulumi version: $(pulumi version)"
step "login and stack init"
pulumi login >&2
(cd "$SMOKE_DIR/cli" && printf 'name: smoke\nruntime: nodejs\n' >Pulumi.yaml && pulumi stack init dev >&2 && pulumi stack ls >&2)

step "Automation API inline program with a dynamic resource"
(cd "$SMOKE_DIR" && node "$REPO_ROOT/scripts/pulumi/smoke-inline.js" "$PULUMI_BIN_DIR" "$SMOKE_DIR/inline")

if [[ -x "$PULUMI_BIN_DIR/pulumi-language-nodejs" ]] || command -v pulumi-language-nodejs >/dev/null 2>&1; then
  step "CLI program (pulumi up --yes) with a dynamic resource"
  cat >"$SMOKE_DIR/cli/index.js" <<'EOF'
const pulumi = require("@pulumi/pulumi");
const noop = {
  async create(inputs) { return { id: "noop-1", outs: { ...inputs, made: true } }; },
  async diff() { return { changes: false }; },
  async delete() {},
};
exports.made = new pulumi.dynamic.Resource(noop, "thing", { greeting: "hi", made: undefined }, {}, "smoke", "Noop").made;
EOF
  (cd "$SMOKE_DIR/cli" && pulumi up --yes >&2 && [[ "$(pulumi stack output made)" == true ]] \
    && pulumi destroy --yes >&2)
  echo "CLI program: up, destroy: ok"
else
  step "skipped the CLI program: no pulumi-language-nodejs (see scripts/ensure-pulumi.sh)"
fi
echo "pulumi smoke test: ok"
