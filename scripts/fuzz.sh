#!/usr/bin/env bash
# fuzz.sh: runs every fuzz target for a while (default 30s each). In the
# normal test suite they run only on their seed corpora.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
t="${1:-30s}"
for spec in ninlib/datasets:FuzzParseIDX ninlib/datasets:FuzzParseCIFAR ninlib/datasets:FuzzParseSVHN \
            ninlib/runs:FuzzParseMetrics ninlib/plan:FuzzParse ninlib/fit:FuzzConfigSet; do
  pkg="${spec%%:*}"; target="${spec##*:}"
  echo "== $target ($pkg, $t)"
  go test -run XXX -fuzz "^$target\$" -fuzztime "$t" "./$pkg"
done
