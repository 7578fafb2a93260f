#!/usr/bin/env bash
# peer-bench.sh: runs the Go benchmarks and the PyTorch peer (same networks,
# same batch, float32, torch threads = 2) alternately, twice each, in one
# invocation, and writes both and their ratio to results/bench/. Run it with
# nothing else on the machine: it is a timing.
#   ./scripts/peer-bench.sh [configs] [batches]     e.g. nin,digits 32
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
configs="${1:-nin,digits}"; batches="${2:-32}"
python=/usr/bin/python3
$python -c "import torch" 2>/dev/null || { echo "needs Debian's python3-torch: sudo apt-get install python3-torch" >&2; exit 1; }
go test -c -o bin/fit.test ./ninlib/fit
pattern="^($(echo "$configs" | tr , '|'))\$/^b($(echo "$batches" | tr , '|'))\$"
out="results/bench/peer-$(date -u +%Y%m%dT%H%M%S).txt"
mkdir -p results/bench
{
  echo "# peer benchmark $(date -u)  commit $(git rev-parse --short HEAD)"
  echo "# machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cores"
  echo "# command: $0 $*"
  for round in 1 2; do
    echo "## round $round: Go (go test -bench, GoMLX Go backend)"
    ./bin/fit.test -test.run XXX -test.bench "(TrainStep|Inference)/$pattern" -test.benchtime 5x | grep Benchmark
    echo "## round $round: PyTorch"
    $python scripts/peer_bench.py --threads 2 --configs "$configs" --batches "$batches"
  done
} | tee "$out"
echo "written to $out"
