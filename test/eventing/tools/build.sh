#!/usr/bin/env bash
# Builds the unmodified Knative Eventing commands of the release pinned in go.mod into
# "$1/bin" (the harness passes a cache folder keyed by that release). A complete bin/
# is reused; a build goes to a temp folder first and is renamed into place only when
# every binary is there, so an interrupted build never leaves a partial set.
set -euo pipefail
cd "$(dirname "$0")"
out="${1:?usage: build.sh <cache-dir>}"

if ! command -v go >/dev/null 2>&1; then
  echo "Go is not installed: Knative Eventing is built from Go modules (install Go >= $(awk '$1 == "go" { print $2 }' go.mod))." >&2
  exit 127
fi

release="$(awk '$1 == "require" && $2 == "knative.dev/eventing" { print $3 }' go.mod)"
# Each binary is named after its package's last element; test/eventing/processes.ts runs them.
packages=(
  knative.dev/eventing/cmd/controller
  knative.dev/eventing/cmd/mtchannel_broker
  knative.dev/eventing/cmd/broker/ingress
  knative.dev/eventing/cmd/broker/filter
  knative.dev/eventing/cmd/in_memory/channel_controller
  knative.dev/eventing/cmd/in_memory/channel_dispatcher
  knative.dev/eventing/cmd/mtping
)

complete() {
  local package
  for package in "${packages[@]}"; do [[ -x "$1/${package##*/}" ]] || return 1; done
}
if complete "$out/bin"; then exit 0; fi

mkdir -p "$out"
tmp="$(mktemp -d "$out/.bin.XXXXXX")"
ticker=""
trap 'rm -rf "$tmp"; [[ -z "$ticker" ]] || kill "$ticker" 2>/dev/null || true' EXIT
echo "eventing: building Knative Eventing ${release} (${#packages[@]} commands; first run only, minutes on 2 cores)..." >&2
started=$SECONDS
# One go build for all commands: their shared packages compile once and the links run in
# parallel. It prints nothing until it is done, hence the heartbeat.
(while sleep 30; do echo "eventing: still building ($((SECONDS - started))s)" >&2; done) &
ticker=$!
go build -trimpath -ldflags '-s -w' -o "$tmp/" "${packages[@]}"
# Another run may have finished the same build meanwhile: theirs is as good as ours.
if ! mv -T "$tmp" "$out/bin" 2>/dev/null && ! complete "$out/bin"; then
  echo "eventing: could not move the build into $out/bin" >&2
  exit 1
fi
echo "eventing: built Knative Eventing ${release} in $((SECONDS - started))s" >&2
