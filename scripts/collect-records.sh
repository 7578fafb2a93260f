#!/usr/bin/env bash
# collect-records.sh SRC_RESULTS [DST_RESULTS]: copies the records of
# finished runs (completed, failed or diverged; never a running one) from a
# results folder of another worktree, without checkpoints or live-run
# files, into this checkout's results/ (or DST_RESULTS), and regenerates
# the tables. Long runs go in a clean worktree so that their records name
# a clean commit; this brings them back to commit.
set -euo pipefail
src="$1"; dst="${2:-$(cd "$(dirname "$0")/.." && pwd)/results}"
n=0
for d in "$src"/runs/*/; do
  id="$(basename "$d")"
  [ -e "$dst/runs/$id" ] && continue
  status="$(sed -n 's/.*"status": "\(.*\)".*/\1/p' "$d/summary.json" 2>/dev/null | head -1)"
  case "$status" in completed|failed|diverged) ;; *) continue ;; esac
  mkdir -p "$dst/runs/$id"
  (cd "$d" && find . -maxdepth 1 -type f ! -name '.*' -exec cp {} "$dst/runs/$id/" \;)
  n=$((n + 1))
done
echo "collected $n records from $src into $dst"
cd "$(dirname "$0")/.." && GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd go run ./experiments table -results "$dst"
