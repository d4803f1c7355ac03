//go:build tools

// Package tools records the commands built from k8s.io/kubernetes so that
// `go mod tidy` keeps the module in go.mod; it is never compiled.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
