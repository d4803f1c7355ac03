#!/bin/sh
# `npm start`: the server with the heap limits of the function it serves
# (KERNEL_GOSSIP_FUNCTION), exec'd so that node is the container's process and
# gets Knative's SIGTERM itself. Set here, not through NODE_OPTIONS in the
# manifests: node flags on the command line win over NODE_OPTIONS, so one
# `npm start` for both functions would give the sweep ingest's heap.
# The optional argument runs another build of the server (the bench's unbundled one).
# Figures from `npm run bench` (docs/benchmark.md): the ingest peaks at ~100 MB RSS, 46 MB
# of it node's own pages. The sweep holds the pods of its scope (trimmed) and one page of
# objects: 113 / 125 / 142 MB at 5,000 / 20,000 / 50,000 objects (half as many pods), 0.64 MB
# more per 1,000 objects; 256 MB of old space leaves room for several times that.
case "${KERNEL_GOSSIP_FUNCTION:-ingest}" in
  sweep) flags="--max-old-space-size=256 --max-semi-space-size=8" ;;
  *) flags="--max-old-space-size=64 --max-semi-space-size=2" ;;
esac
# shellcheck disable=SC2086 # the flags are separate words
exec node $flags "${1:-dist/server.js}"
