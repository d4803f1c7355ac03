#!/bin/sh
# `npm start`: the server with the heap limits of the function it serves
# (KERNEL_GOSSIP_FUNCTION), exec'd so that node is the container's process and
# gets Knative's SIGTERM itself. Set here, not through NODE_OPTIONS in the
# manifests: node flags on the command line win over NODE_OPTIONS, so one
# `npm start` for both functions would give the sweep ingest's heap.
# The optional argument runs another build of the server (the bench's unbundled one).
case "${KERNEL_GOSSIP_FUNCTION:-ingest}" in
  sweep) flags="--max-old-space-size=512 --max-semi-space-size=8" ;;
  *) flags="--max-old-space-size=64 --max-semi-space-size=2" ;;
esac
# shellcheck disable=SC2086 # the flags are separate words
exec node $flags "${1:-dist/server.js}"
