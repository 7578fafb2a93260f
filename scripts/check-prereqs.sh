#!/usr/bin/env bash
# check-prereqs.sh: says, before anything runs, every system package that
# `make test` needs and this machine lacks, with the one command that
# installs them all (.ci/run installs them itself).
set -uo pipefail
missing=()
for p in jupyter-nbconvert jupyter-client jupyter-notebook python3-ipykernel dataset-fashion-mnist; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "make test needs these Debian packages, missing here: ${missing[*]}" >&2
  echo "  fix: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  echo "  (Slurm is optional: without a cluster the Slurm test is skipped; see scripts/slurm-cluster.sh)" >&2
  exit 1
fi
