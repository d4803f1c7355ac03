#!/usr/bin/env bash
# Builds etcd, kube-apiserver and kubectl of the release pinned in go.mod into
# "$1/bin" (the harness passes a cache folder keyed by that release). Binaries
# already there are reused; a partial build never leaves a half-written binary
# because each goes to a temp name first.
set -euo pipefail
cd "$(dirname "$0")"
out="${1:?usage: build.sh <cache-dir>}"
mkdir -p "$out/bin"

if ! command -v go >/dev/null 2>&1; then
  echo "Go is not installed: the control plane is built from Go modules (install Go >= $(awk '$1 == "go" { print $2 }' go.mod))." >&2
  exit 127
fi

release="$(awk '$1 == "k8s.io/kubernetes" { print $2 }' go.mod)"
minor="${release#v1.}"; minor="${minor%%.*}"
pkg=k8s.io/component-base/version
ldflags="-s -w -X ${pkg}.gitVersion=${release} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor} -X ${pkg}.gitTreeState=clean"

build() {
  local name="$1" target="$2"
  if [[ -x "$out/bin/$name" ]]; then return; fi
  echo "control plane: building $name ${release} (first run only; takes minutes)..." >&2
  local started=$SECONDS
  go build -trimpath -ldflags "$ldflags" -o "$out/bin/.$name.tmp" "$target"
  mv "$out/bin/.$name.tmp" "$out/bin/$name"
  echo "control plane: built $name in $((SECONDS - started))s" >&2
}

build etcd ./etcd
build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
build kubectl k8s.io/kubernetes/cmd/kubectl
