#!/usr/bin/env bash
# gpu-bench.sh: the GPU half of the performance issue, prepared to run in one
# short slot on a lent NVIDIA machine (no Go toolchain and no network
# there). It times the same networks on GoMLX's XLA backend (xla:cuda, via
# the PJRT plugin of JAX's jax-cuda13-pjrt wheel, which that machine's
# Python has) against PyTorch on the same GPU, paired as in
# scripts/peer-bench.sh, and writes the record to $OUT (or results/bench).
#
# Here, before the slot:   make gpu-binary          (writes .gpu/fit.test and .gpu/commit)
# On the GPU machine:      device tool `run` with command "./scripts/gpu-bench.sh",
#                          carry [".gpu"], timeout_s 540
# Then copy the record from the files that come back into results/bench/.
#
#   ./scripts/gpu-bench.sh [configs] [batches] [rounds]   default nin,nin-fc,digits 32,128 2
set -euo pipefail
cd "$(dirname "$0")/.."
configs="${1:-nin,nin-fc,digits}"; batches="${2:-32,128}"; rounds="${3:-2}"
python="${PEER_PYTHON:-python3}"
[ -x .gpu/fit.test ] || { echo "no .gpu/fit.test: run 'make gpu-binary' on the development machine and carry .gpu" >&2; exit 1; }
# The PJRT plugin and the CUDA libraries JAX's wheels install next to it.
plugin=$($python - <<'PY'
import glob, os, sys
try:
    import jax_plugins
except ImportError:
    sys.exit("no jax_plugins package: this machine needs JAX's jax-cuda13-pjrt wheel (or set PEER_PYTHON)")
for d in jax_plugins.__path__:
    for so in sorted(glob.glob(os.path.join(d, "*cuda*", "*.so"))):
        print(so); sys.exit(0)
sys.exit("no CUDA PJRT plugin under jax_plugins (pip package jax-cuda13-pjrt)")
PY
)
nvlibs=$($python -c 'import glob, os, nvidia; print(":".join(sorted(glob.glob(os.path.join(list(nvidia.__path__)[0], "*", "lib")))))' 2>/dev/null || true)
export LD_LIBRARY_PATH="${nvlibs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export NIN_BENCH_BACKEND="xla:$plugin"
export PEER_TORCH_DEVICE=cuda PEER_PYTHON="$python" PEER_TEST_BINARY=.gpu/fit.test
export PEER_BENCHTIME="${PEER_BENCHTIME:-3s}" PEER_THREADS="${PEER_THREADS:-$(nproc)}"
export PEER_OUT_DIR="${OUT:-results/bench}"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
echo "plugin: $plugin"
# Smoke test first: one Go inference on the GPU, so a plugin problem shows at once.
.gpu/fit.test -test.run XXX -test.bench "Inference/^digits\$/^b32\$" -test.benchtime 2x
exec ./scripts/peer-bench.sh "$configs" "$batches" "$rounds"
