package backend

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestOpen(t *testing.T) {
	t.Setenv(EnvVar, "")
	b, err := Open("")
	if err != nil || !IsGo(b) {
		t.Fatalf("default backend: %v, %v", b, err)
	}
	if d := Describe("", b); d.Config != "go" || d.Name != "go" || d.Description == "" {
		t.Errorf("describe: %+v", d)
	}
	t.Setenv(EnvVar, "go")
	if b, err := Open(""); err != nil || !IsGo(b) {
		t.Errorf("$GOMLX_BACKEND=go: %v", err)
	}
}

func TestEffective(t *testing.T) {
	t.Setenv(EnvVar, "")
	n := strconv.Itoa(min(runtime.GOMAXPROCS(0), 8))
	for _, c := range []struct{ config, want string }{
		{"", "go:num_executors=" + n},
		{"go", "go:num_executors=" + n},
		{"go:ops_parallel", "go:ops_parallel,num_executors=" + n},
		{"go:num_executors=3", "go:num_executors=3"}, // the user's choice stays
		{"go:parallelism=8,num_executors=1", "go:parallelism=8,num_executors=1"},
		{"xla:cpu", "xla:cpu"},
	} {
		if got := Effective(c.config); got != c.want {
			t.Errorf("Effective(%q) = %q, want %q", c.config, got, c.want)
		}
	}
	b, err := Open("go:num_executors=1")
	if err != nil {
		t.Fatal(err)
	}
	if d := Describe("go:num_executors=1", b); d.Config != "go:num_executors=1" || strings.Contains(d.Description, "[") {
		t.Errorf("describe of an explicit setting: %+v", d)
	}
	if d := Describe("go", b); !strings.Contains(d.Description, "num_executors="+n) {
		t.Errorf("describe does not name the added setting: %+v", d)
	}
}

func TestUnknownBackend(t *testing.T) {
	_, err := Open("tpu9000")
	if err == nil || !strings.Contains(err.Error(), `"go"`) || !strings.Contains(err.Error(), "xla:cuda") {
		t.Errorf("got %v", err)
	}
}

func TestMissingXLAPluginIsAClearError(t *testing.T) {
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", t.TempDir()) // no plugin there
	_, err := Open("xla:cpu")
	if err == nil {
		t.Skip("an XLA CPU plugin is installed on this machine")
	}
	for _, want := range []string{"xla:cpu", "pjrt_installer", "PJRT_PLUGIN_LIBRARY_PATH", "-backend=go"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

// TestSIMDKernels: the test binary is built the way the Makefile builds
// (GOEXPERIMENT=simd), and then no warning is due.
func TestSIMDKernels(t *testing.T) {
	if os.Getenv("GOEXPERIMENT") != "simd" {
		t.Skip("built without GOEXPERIMENT=simd")
	}
	if !SIMDKernels() || Warning("go") != "" {
		t.Errorf("SIMDKernels() = %v, Warning = %q in a GOEXPERIMENT=simd build", SIMDKernels(), Warning("go"))
	}
	if Warning("xla:cpu") != "" {
		t.Errorf("a warning for XLA, which has its own kernels")
	}
}
