#!/usr/bin/env bash
# browser-test.sh: the notebooks in a real browser. Starts Debian's classic
# Jupyter notebook server with the GoNB kernel on 127.0.0.1 (a trust
# database in memory, so every notebook opens "Not Trusted", as a fresh
# clone does), and drives Debian's Chromium through playwright-core from
# npm (tools/browser; no browser is ever downloaded) with
# tools/browser/notebooks.mjs: every committed notebook must show its tables
# and figures untrusted, and a copy of 02 run with Run All at a tiny
# configuration must show the live learning curve while it trains.
#
#   ./scripts/browser-test.sh              screenshots in a temporary folder
#   BROWSER_OUT=dir ./scripts/browser-test.sh   dir new or empty
#
# Needs: sudo apt-get install chromium jupyter-notebook (and the GoNB
# kernel: ./scripts/install-kernel.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
out="${BROWSER_OUT:-$(mktemp -d)}"
# The Run All check needs a run that trains: records left in $out by an
# earlier test would be skipped as complete (no live curve), and its old
# screenshots would pass for new ones.
if [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
  echo "BROWSER_OUT=$out is not empty (an earlier test's results or screenshots?): the Run All check must train from scratch; name a new or empty folder, or remove it" >&2
  exit 2
fi
mkdir -p "$out"
[ -x /usr/bin/chromium ] || { echo "Debian's chromium is missing: sudo apt-get install chromium" >&2; exit 1; }
[ -x /usr/bin/jupyter-notebook ] || { echo "Debian's jupyter-notebook is missing: sudo apt-get install jupyter-notebook" >&2; exit 1; }
(cd tools/browser && { [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund >/dev/null; })
port="$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
token="$(/usr/bin/python3 -c 'import secrets; print(secrets.token_hex(16))')"
# The Run All copy trains the tiny configuration into its own results.
export NIN_NB_RESULTS="$out/results" NIN_NB_SEEDS=1 NIN_NB_DATASETS=mnist
export NIN_NB_SET="epochs=1;subset=2000;validation=256;test_subset=256"
export PATH="$root/bin:$PATH"
cp notebooks/02_gap_vs_fc.ipynb notebooks/_browser_run.ipynb
/usr/bin/jupyter-notebook --no-browser --ip=127.0.0.1 --port="$port" --NotebookApp.token="$token" \
  --NotebookNotary.db_file=:memory: --notebook-dir="$root" $([ "$(id -u)" = 0 ] && echo --allow-root) >"$out/jupyter.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$root/notebooks/_browser_run.ipynb" "$root/notebooks/.ipynb_checkpoints/_browser_run-checkpoint.ipynb"; rmdir "$root/notebooks/.ipynb_checkpoints" 2>/dev/null || true' EXIT
up=""
for _ in $(seq 60); do
  if curl -fs "http://127.0.0.1:$port/api?token=$token" >/dev/null 2>&1; then up=1; break; fi
  kill -0 $server 2>/dev/null || break
  sleep 1
done
[ -n "$up" ] || { echo "the notebook server did not start; its log ($out/jupyter.log) ends with:" >&2; tail -5 "$out/jupyter.log" >&2; exit 1; }
node tools/browser/notebooks.mjs \
  "http://127.0.0.1:$port" "$token" "$out/screenshots" 2>&1 || { echo "server log: $out/jupyter.log"; exit 1; }
