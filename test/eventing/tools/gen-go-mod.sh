#!/usr/bin/env bash
# Regenerates go.mod/go.sum of the eventing tools module for one knative.dev/eventing
# version (the one test/upstream/modules.ts pins). Only this module's requirements are
# resolved: a bare `go mod download` of everything would also fetch
# knative.dev/reconciler-test, which the Go module proxy refuses.
# Usage: gen-go-mod.sh v0.49.2
set -euo pipefail
cd "$(dirname "$0")"
version="${1:?usage: gen-go-mod.sh v0.X.Y}"

upstream_mod="$(go mod download -json "knative.dev/eventing@${version}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
rm -f go.mod go.sum
go mod init kernel-gossip/eventing-tools >/dev/null 2>&1
go mod edit -go="$(awk '$1 == "go" { print $2 }' "$upstream_mod")" -require="knative.dev/eventing@${version}"
go mod tidy
echo "tools module pinned to knative.dev/eventing ${version}"
