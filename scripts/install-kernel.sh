#!/usr/bin/env bash
# install-kernel.sh: builds GoNB v0.11.5 and goimports from tools/go.mod
# (`go install pkg@version` fails where the module proxy refuses "latest"
# listings) and registers the GoNB Jupyter kernel, with GOTOOLCHAIN and
# GOEXPERIMENT=simd in the kernel's environment so every notebook cell is
# built the way the rest of the workbench is. gopls is optional and skipped.
# Needs Jupyter (Debian: jupyter-client jupyter-notebook; or pip install jupyterlab).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
mkdir -p "$root/bin"
(cd "$root/tools" && go build -o "$root/bin/" tool)
# Debian's jupyter first (a pyenv shim may shadow it).
export PATH="$root/bin:/usr/bin:$PATH"
gonb --install --force_deps --logtostderr 2>&1 | grep -v '^I' || true
# Put the toolchain settings into the kernelspec's environment.
spec="$(/usr/bin/jupyter kernelspec list --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["kernelspecs"]["gonb"]["resource_dir"])')"
/usr/bin/python3 - "$spec/kernel.json" "$root/bin" <<'PY'
import json, os, sys
path, bindir = sys.argv[1], sys.argv[2]
k = json.load(open(path))
env = k.setdefault("env", {})
env["GOTOOLCHAIN"] = "go1.27.3"
env["GOEXPERIMENT"] = "simd"
env["PATH"] = bindir + ":" + os.environ.get("PATH", "/usr/local/go/bin:/usr/bin:/bin")
json.dump(k, open(path, "w"), indent=2)
print("GoNB kernel installed:", path)
PY
# Warm Go's build cache with what every notebook compiles (ninlib, GoMLX,
# gonbui) with the kernel's flags, so that a notebook's first cell links
# instead of building GoMLX from scratch (minutes on 2 cores).
(cd "$root" && go build ./... )
echo "build cache warmed for the notebooks"
