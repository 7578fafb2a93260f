#!/usr/bin/env bash
# run-notebooks.sh: executes every notebook headless with Debian's Jupyter
# (nbconvert), checks each for broken cells with scripts/nbcheck, and exports
# each to self-contained HTML (plots are inline SVG/PNG, no network needed).
#
#   ./scripts/run-notebooks.sh            tiny configuration, into a temporary
#                                         results dir (what CI runs)
#   ./scripts/run-notebooks.sh --publish  the notebooks' real configuration,
#                                         results/ as results dir, outputs
#                                         written back into notebooks/
#   NIN_NB_DRY_RUN=1 ./scripts/run-notebooks.sh --publish
#                                         the same, training nothing: the
#                                         notebooks render the records there
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
JUPYTER=/usr/bin/jupyter   # Debian's, not a pyenv/virtualenv python
[ -x "$JUPYTER" ] || { echo "Debian's jupyter is missing: sudo apt-get install jupyter-nbconvert jupyter-client jupyter-notebook" >&2; exit 1; }
# (Re)install the kernel unless it is this checkout's GoNB: a kernelspec left
# by another checkout (or a removed one) would run other code or nothing.
kernel_bin="$("$JUPYTER" kernelspec list --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)["kernelspecs"]["gonb"]["resource_dir"]
    print(json.load(open(d + "/kernel.json"))["argv"][0])
except Exception:
    pass' || true)"
if [ "$kernel_bin" != "$root/bin/gonb" ] || [ ! -x "$root/bin/gonb" ]; then
  ./scripts/install-kernel.sh
fi
export PATH="$root/bin:$PATH"

out="${NB_OUT:-$(mktemp -d)}"
mkdir -p "$out"
if [ "${1:-}" = "--publish" ]; then
  dest="$root/notebooks"
else
  # Tiny configuration: one seed, MNIST, a few hundred images.
  export NIN_NB_RESULTS="${NIN_NB_RESULTS:-$out/results}"
  export NIN_NB_SEEDS="${NIN_NB_SEEDS:-1}"
  export NIN_NB_DATASETS="${NIN_NB_DATASETS:-mnist}"
  export NIN_NB_SET="${NIN_NB_SET:-epochs=1;subset=256;validation=256;test_subset=256;batch_size=64}"
  dest="$out"
fi
status=0
for nb in notebooks/0*.ipynb; do
  name="$(basename "$nb")"
  echo "== $name"
  # Order matters: 05 probes the runs that 02 trained.
  log="$out/$name.log"
  if ! (cd notebooks && "$JUPYTER" nbconvert --to notebook --execute --ExecutePreprocessor.timeout=3600 \
        --ExecutePreprocessor.kernel_name=gonb --output-dir "$dest" --output "$name" "$name") >"$log" 2>&1; then
    status=1
    echo "nbconvert failed on $name; its log ($log) ends with:"
    tail -20 "$log"
  fi
done
go run ./scripts/nbcheck "$dest"/0*.ipynb || status=1
for nb in "$dest"/0*.ipynb; do
  "$JUPYTER" nbconvert --to html --output-dir "$out/html" "$nb" >/dev/null 2>&1 || status=1
done
if [ "${1:-}" != "--publish" ]; then
  echo "== Kernel > Interrupt during training"
  /usr/bin/python3 scripts/nb-interrupt-test.py "$out/interrupt-results" >"$out/interrupt.log" 2>&1 || {
    status=1; echo "the notebook interrupt test failed; its log ($out/interrupt.log) ends with:"; tail -20 "$out/interrupt.log"; }
  grep -E '^(OK|FAIL|records|the cell)' "$out/interrupt.log" || true
fi
echo "executed notebooks: $dest; HTML: $out/html"
exit $status
