#!/usr/bin/env bash
# peer-memory.sh: the peak memory (maximum resident set size, from
# /usr/bin/time) of a process that trains one configuration for a few
# steps, on GoMLX's Go backend (the fit benchmarks' TrainStep) and on
# PyTorch (scripts/peer_bench.py, the same networks), beside each side's
# idle process (the Go test binary that runs nothing; Python that imports
# torch and makes one tensor). Memory does not depend on the machine's
# load, so this may run beside other work. Writes results/bench/memory-*.txt.
#   ./scripts/peer-memory.sh [configs] [batches]   e.g. digits-w0.5,nin 32,128
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
configs="${1:-nin,digits,digits-w0.5}"; batches="${2:-32,128}"
python="${PEER_PYTHON:-/usr/bin/python3}"
$python -c "import torch" 2>/dev/null || { echo "needs PyTorch: Debian's python3-torch (sudo apt-get install python3-torch), or PEER_PYTHON" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time: sudo apt-get install time" >&2; exit 1; }
go test -c -o bin/fit.test ./ninlib/fit
out="results/bench/memory-$(date -u +%Y%m%dT%H%M%S).txt"
mkdir -p results/bench
peak() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; } # KB
{
  echo "# peak memory $(date -u)  commit $(git rev-parse --short HEAD)"
  echo "# machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB"
  echo "# maximum resident set size (MB) of a process training one configuration (Go: TrainStep benchmark, 2 warm-up + 5 steps; PyTorch: peer_bench.py, 2 s warm-up + 2 s, SGD, 2 threads)"
  echo "# command: $0 $*"
  goidle=$(peak ./bin/fit.test -test.run XXX -test.bench XXX)
  torchidle=$(peak $python -c "import torch; torch.randn(1)")
  echo "idle process: go $((goidle / 1024)) MB, torch $((torchidle / 1024)) MB"
  printf '%-14s %-5s %8s %10s %12s %14s\n' config batch "go MB" "torch MB" "go - idle" "torch - idle"
  for c in ${configs//,/ }; do
    for b in ${batches//,/ }; do
      g=$(peak ./bin/fit.test -test.run XXX -test.bench "TrainStep/^$c\$/^b$b\$" -test.benchtime 5x)
      t=$(peak $python scripts/peer_bench.py --no-peak --threads 2 --configs "$c" --batches "$b" --modes train --seconds 2)
      printf '%-14s %-5s %8d %10d %12d %14d\n' "$c" "b$b" $((g / 1024)) $((t / 1024)) $(((g - goidle) / 1024)) $(((t - torchidle) / 1024))
    done
  done
} | tee "$out"
echo "written to $out"
