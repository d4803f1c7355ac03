#!/usr/bin/env bash
# Regenerates go.mod/go.sum of the control-plane tools module for one Kubernetes release.
#
# k8s.io/kubernetes replaces its k8s.io/* staging modules with local paths
# (./staging/src/k8s.io/...), which do not exist outside its repository. Each one is
# replaced here with the published v0.<minor>.<patch> of the same release, read from
# the release's own go.mod so the list never drifts from what it really uses.
# Usage: gen-go-mod.sh v1.36.3
set -euo pipefail
cd "$(dirname "$0")"
release="${1:?usage: gen-go-mod.sh v1.X.Y}"
staging_version="v0.${release#v1.}"

upstream_mod="$(go mod download -json "k8s.io/kubernetes@${release}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
etcd_version="$(awk '$1 == "go.etcd.io/etcd/server/v3" { print $2 }' "$upstream_mod")"

rm -f go.mod go.sum
go mod init kernel-gossip/controlplane-tools >/dev/null 2>&1
go mod edit -go="$(awk '$1 == "go" { print $2 }' "$upstream_mod")"
grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$upstream_mod" | awk '{ print $1 }' |
  while read -r module; do
    go mod edit -replace="${module}=${module}@${staging_version}"
  done
go mod edit -require="k8s.io/kubernetes@${release}" -require="go.etcd.io/etcd/server/v3@${etcd_version}"
go mod tidy
echo "tools module pinned to kubernetes ${release}, etcd ${etcd_version}"
