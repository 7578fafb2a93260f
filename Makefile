# The NIN workbench. Every target builds with the toolchain and flags the
# project needs: Go 1.27.3 (fetched by the go command through the module
# proxy) and GOEXPERIMENT=simd (GoMLX's AVX2/AVX-512 kernels; 7x slower
# without).
export GOTOOLCHAIN := go1.27.3
export GOEXPERIMENT := simd
GO ?= go

.PHONY: run test prereqs vet bench fuzz notebooks browser kernel table peer gpu-binary clean-results

# The main job: NIN with batch norm on real MNIST with the pure-Go backend,
# about three minutes.
# It always trains a new run (the embedded defaults of `experiments train`)
# and records it as experiment "quick", in results-local/ (git-ignored), so
# a newcomer's run leaves the committed tables alone.
run:
	$(GO) run ./experiments train -results results-local -set "experiment=quick;arm=nin"

# The whole test suite (what CI runs): vet, unit tests (tiny configs, Go
# backend), fuzz targets on their seed corpora, and the notebooks headless.
test: prereqs vet
	$(GO) test ./...
	./scripts/run-notebooks.sh
	./scripts/browser-test.sh

# Every system package the tests need, reported at once before anything runs.
prereqs:
	@./scripts/check-prereqs.sh

vet:
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

# Benchmarks (see README): one training step and one inference call per
# model configuration; patch extraction (gather vs slices); the data
# pipeline's work per batch.
bench:
	$(GO) test -run XXX -bench . -benchtime 5x ./ninlib/fit/
	$(GO) test -run XXX -bench . -benchtime 10x ./ninlib/nin/
	$(GO) test -run XXX -bench . ./ninlib/datasets/

# Longer fuzzing of every parser (each target 60s).
fuzz:
	./scripts/fuzz.sh 60s

# Register the GoNB kernel (Jupyter must be installed).
kernel:
	./scripts/install-kernel.sh

notebooks:
	./scripts/run-notebooks.sh

# The notebooks in Debian's Chromium: untrusted rendering, Run All, screenshots.
browser:
	./scripts/browser-test.sh

table:
	$(GO) run ./experiments table

# PyTorch peer benchmark on the same machine (Debian python3-torch).
peer:
	./scripts/peer-bench.sh

# The benchmark binary for a lent GPU machine (no Go there): stripped, with
# the XLA backend, and the commit it was built from; see scripts/gpu-bench.sh.
gpu-binary:
	mkdir -p .gpu
	$(GO) test -c -ldflags="-s -w" -o .gpu/fit.test ./ninlib/fit
	git rev-parse --short HEAD > .gpu/commit
