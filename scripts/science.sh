#!/usr/bin/env bash
# science.sh: runs the comparison experiments and their probes at laptop
# scale, one after the other, and regenerates the tables. About 80 minutes
# on 2 cores with the Go backend. Rerunning skips what is already complete
# and resumes what was interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
go build -o bin/experiments ./experiments
for e in gap-vs-fc mlpconv-vs-conv bottleneck translation input-size confidence-maps; do
  ./bin/experiments run "$e" -progress lines "$@"
done
./bin/experiments table
