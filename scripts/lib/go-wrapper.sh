# shellcheck shell=bash
# Building a Go program from the Go module proxy in a wrapper module of our own, as Pulumi's own
# builds would: a module's `replace` directives apply only inside that module, so the wrapper
# repeats the versioned ones of the modules it builds from. Sourced by scripts/ensure-pulumi.sh (the
# CLI), scripts/ensure-sdkgen.sh (the SDK generators) and the Go SDK test (tests/sdk/goProgram.ts).

# Prints one `go mod edit -replace` argument per non-relative replace directive of a go.mod file.
# Relative ones (`=> ../sdk`) only make sense inside the module's own repository.
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

# In the current directory (a wrapper module): downloads MODULE@VERSION arguments and repeats the
# versioned replace directives of their go.mod files (the first one named for a path wins).
# Needs $GO; prints what it does through `log` and `warn`, which the caller defines.
repeat_replaces() {
  local mod_files mod_file replace old
  mod_files="$("$GO" list -m -f '{{.GoMod}}' "$@")" || return 1
  "$GO" mod download "$@" || return 1
  declare -A seen=()
  for mod_file in $mod_files; do
    while IFS= read -r replace; do
      old="${replace%%=*}"
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
# Needs $GO, $BUILD_LOG and the caller's `warn`.
go_logged() {
  printf '\n$ go %s\n' "$*" >>"$BUILD_LOG"
  if "$GO" "$@" >>"$BUILD_LOG" 2>&1; then return 0; fi
  warn "'go $*' failed; the end of $BUILD_LOG:"
  tail -n 25 "$BUILD_LOG" >&2
  return 1
}
