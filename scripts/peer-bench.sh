#!/usr/bin/env bash
# peer-bench.sh: times the Go benchmarks against the PyTorch peer (same
# networks, same batch, float32, torch threads = 2) in one invocation. The
# timings on a shared 2-core machine drift by tens of percent within
# minutes (PyTorch's own full-NIN training rate ranged 58-190 img/s in one
# day), so each Go measurement is paired with a PyTorch one taken right
# after it, the pairs are repeated for several rounds, and the summary
# gives the median of each side and the median of the per-pair ratios.
# Output (with commit, CPU and command) goes to results/bench/. Run it with
# nothing else on the machine: it is a timing.
#   ./scripts/peer-bench.sh [configs] [batches] [rounds]   e.g. nin,digits 32 3
# Environment (scripts/gpu-bench.sh sets these for a GPU machine):
#   NIN_BENCH_BACKEND   the Go side's backend (default go; e.g. xla:/path/to/xla_cuda_plugin.so)
#   PEER_TORCH_DEVICE   cpu (default) or cuda
#   PEER_PYTHON         the Python holding torch (default /usr/bin/python3, Debian's python3-torch)
#   PEER_THREADS        torch CPU threads (default 2, the Go backend's parallelism here)
#   PEER_TEST_BINARY    a prebuilt `go test -c ./ninlib/fit` binary (default: build bin/fit.test)
#   PEER_OUT_DIR        where the record goes (default results/bench)
#   PEER_BENCHTIME      go test -benchtime of each Go timing (default 5x; a GPU wants seconds, e.g. 3s)
#   PEER_ISA            avx2: both sides restricted to AVX2 on an AVX-512 machine (GoMLX's AVX2
#                       kernels, Go's runtime, oneDNN and ATen), to stand in for an AVX2-only
#                       CPU; the record is named peer-avx2-… and says so
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
configs="${1:-nin,digits}"; batches="${2:-32}"; rounds="${3:-3}"
python="${PEER_PYTHON:-/usr/bin/python3}"
device="${PEER_TORCH_DEVICE:-cpu}"
threads="${PEER_THREADS:-2}"
# glibc malloc settings that keep PyTorch's freed memory for reuse: no mmap
# (glibc maps every block over its 32 MiB maximum threshold afresh, so at
# batch 128 each large activation faulted in its pages again: 1.03 M faults
# and 112 img/s for NIN width 1/2 training, 0.24 M and 464 img/s without),
# no trimming, a large top pad.
malloc_env="MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=536870912"
$python -c "import torch" 2>/dev/null || { echo "needs PyTorch: Debian's python3-torch (sudo apt-get install python3-torch), or PEER_PYTHON" >&2; exit 1; }
# Debian's python3-torch pulls in the reference BLAS, with which its 2048x2048
# matmul runs at about 5 GFLOP/s instead of 250: the peer would be slowed
# down, and the ratio flattered.
if [ "$device" = cpu ]; then
  gflops=$($python -c 'import time, torch
torch.set_num_threads('"$threads"'); a = torch.randn(1024, 1024); a @ a; t = time.time(); a @ a; print(int(2 * 1024**3 / (time.time() - t) / 1e9))')
  if [ "$gflops" -lt 30 ]; then
    echo "PyTorch's matmul runs at $gflops GFLOP/s here: it uses the reference BLAS; install an optimized one (sudo apt-get install libopenblas0-pthread)" >&2
    exit 1
  fi
fi
testbin="${PEER_TEST_BINARY:-}"
if [ -z "$testbin" ]; then
  go test -c -o bin/fit.test ./ninlib/fit
  testbin=./bin/fit.test
fi
commit=$(git rev-parse --short HEAD 2>/dev/null || cat "$(dirname "$testbin")/commit" 2>/dev/null || echo unknown)
outdir="${PEER_OUT_DIR:-results/bench}"
tag=peer; [ "$device" != cpu ] && tag="peer-$device"
isa_note=""
if [ "${PEER_ISA:-}" = avx2 ]; then
  export GOMLX_GO_SIMD_AVX512=false GODEBUG=cpu.avx512f=off DNNL_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 OPENBLAS_CORETYPE=Haswell
  tag="$tag-avx2"
  isa_note="# restricted to AVX2 on this machine: GOMLX_GO_SIMD_AVX512=false GODEBUG=cpu.avx512f=off (Go), DNNL_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 OPENBLAS_CORETYPE=Haswell (PyTorch)"
elif [ -n "${PEER_ISA:-}" ]; then
  echo "PEER_ISA=$PEER_ISA: expected avx2 (or unset for the machine's own)" >&2; exit 1
fi
out="$outdir/$tag-$(date -u +%Y%m%dT%H%M%S).txt"
mkdir -p "$outdir"
pairs=$(mktemp)
{
  echo "# peer benchmark $(date -u)  commit $commit"
  echo "# machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cores"
  echo "# SIMD flags: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx|avx2|fma|avx512[a-z_0-9]*|amx[a-z_0-9]*)$' | sort | tr '\n' ' ')"
  [ -n "$isa_note" ] && echo "$isa_note"
  echo "# Go backend: ${NIN_BENCH_BACKEND:-go}, opened as runs open it (backend.Effective: on the Go backend one graph executor per core); PyTorch device: $device, $threads CPU threads"
  echo "# command: $0 $*"
  echo "# PyTorch runs in its fastest state, so that the ratio is not flattered: glibc malloc keeps freed memory"
  echo "# ($malloc_env; without such settings, PyTorch's full-NIN training rate here ranged 58-190 img/s"
  echo "# between processes, and with mmap left on, batch 128 ran up to 4x slower than batch 32, from page"
  echo "# faults on fresh allocations), and each process first times a 2048x2048"
  echo "# float32 matmul, printed as 'peak' to track the machine's speed."
  for round in $(seq "$rounds"); do
    for c in ${configs//,/ }; do
      for b in ${batches//,/ }; do
        for mode in train inference; do
          bench=TrainStep; [ "$mode" = inference ] && bench=Inference
          goline=$("$testbin" -test.run XXX -test.bench "$bench/^$c\$/^b$b\$" -test.benchtime "${PEER_BENCHTIME:-5x}" | grep Benchmark)
          goimg=$(echo "$goline" | awk '{print $(NF-1)}')
          read -r torchimg peak < <(env $malloc_env $python scripts/peer_bench.py --threads "$threads" --device "$device" --configs "$c" --batches "$b" --modes "$mode" |
            $python -c 'import json,sys; d=json.load(sys.stdin); print(d["results"][0]["img_per_s"], d["matmul_2048_gflops"])')
          echo "round $round  $c b$b $mode  go $goimg img/s  torch $torchimg img/s  ratio $($python -c "print(round($goimg/$torchimg, 3))")  (peak $peak GFLOP/s)"
          echo "$c b$b $mode $goimg $torchimg" >> "$pairs"
        done
      done
    done
  done
  echo "## summary: medians over $rounds rounds (ratio = median of the per-pair ratios)"
  $python - "$pairs" <<'PY'
import statistics as st, sys
rows = {}
for line in open(sys.argv[1]):
    c, b, mode, g, t = line.split()
    rows.setdefault((c, b, mode), []).append((float(g), float(t)))
print(f"{'config':14} {'batch':5} {'mode':9} {'go img/s':>9} {'torch img/s':>11} {'ratio':>6}  (per-pair ratios)")
for (c, b, mode), ps in rows.items():
    ratios = [g / t for g, t in ps]
    print(f"{c:14} {b:5} {mode:9} {st.median(g for g, _ in ps):9.1f} {st.median(t for _, t in ps):11.1f} {st.median(ratios):6.2f}  ({', '.join(f'{r:.2f}' for r in ratios)})")
PY
} | tee "$out"
rm -f "$pairs"
echo "written to $out"
