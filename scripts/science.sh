#!/usr/bin/env bash
# science.sh: runs the comparison experiments and their probes at laptop
# scale (experiments/laptop.conf), one after the other, and regenerates the
# tables. About 1.5 hours on 2 cores with the Go backend (more than a session
# allows at larger scales):
# rerunning skips what is already complete and resumes what was interrupted.
# The probes of gap-vs-fc run right after it, so a partial pass still gives
# the GAP/FC comparison complete. The binary is rebuilt before each
# experiment, so a checkout updated between steps takes effect.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
for e in gap-vs-fc translation input-size confidence-maps generalization mlpconv-vs-conv bottleneck final-relu; do
  go build -o bin/experiments ./experiments
  ./bin/experiments run "$e" -progress lines "$@"
  ./bin/experiments table
done
