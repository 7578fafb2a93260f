// Package backend opens the GoMLX compute backend for the workbench.
//
// The pure-Go backend ("go") is the default everywhere. XLA ("xla:cpu",
// "xla:cuda") is used only when asked for, either explicitly or through the
// GOMLX_BACKEND environment variable, and it never downloads a PJRT plugin
// implicitly: a missing plugin is a clear error that says how to install it.
package backend

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"  // registers "go"
	_ "github.com/gomlx/go-xla/compute/xla" // registers "xla" without its auto-installer
)

// Default is the backend used when nothing is asked for.
const Default = "go"

// EnvVar is the environment variable that GoMLX itself reads; Resolve honours it.
const EnvVar = compute.ConfigEnvVar

// Resolve returns the backend configuration to use: config if not empty,
// else $GOMLX_BACKEND if set, else Default.
func Resolve(config string) string {
	if c := strings.TrimSpace(config); c != "" {
		return c
	}
	if c := strings.TrimSpace(os.Getenv(EnvVar)); c != "" {
		return c
	}
	return Default
}

// Effective is the configuration Open passes to GoMLX for config (see
// Resolve). For the Go backend it adds num_executors (one per core, at most
// GoMLX's default of 8) unless config sets it. The backend runs the ready
// ops of a graph on that many executor goroutines, all but one of which
// hold a slot of the worker pool (2 slots per core) that a matmul fans its
// work out to (workerspool.Saturate). With GoMLX's default on 2 cores, 3 of
// the 4 slots are held by executors, mostly idle, and each matmul gets one
// worker: one core. One executor per core leaves a matmul 3 workers, and
// trained 23-46% more images per second on every configuration
// benchmarked (README, Performance).
func Effective(config string) string {
	config = Resolve(config)
	name, opts, _ := strings.Cut(config, ":")
	if name != "go" {
		return config
	}
	for opt := range strings.SplitSeq(opts, ",") {
		if key, _, _ := strings.Cut(opt, "="); strings.TrimSpace(key) == "num_executors" {
			return config
		}
	}
	if opts != "" {
		opts += ","
	}
	return "go:" + opts + "num_executors=" + strconv.Itoa(min(runtime.GOMAXPROCS(0), 8))
}

// Known lists the backend names this workbench accepts (the part before ":").
func Known() []string { return []string{"go", "xla"} }

// Open opens the backend named by config (see Resolve). It never panics:
// failures, including a missing XLA PJRT plugin, are returned as errors
// that say how to fix them.
func Open(config string) (b compute.Backend, err error) {
	config = Resolve(config)
	name, _, _ := strings.Cut(config, ":")
	switch name {
	case "go":
	case "xla", "stablehlo", "hlo", "shlo":
	default:
		return nil, fmt.Errorf("backend %q: unknown backend %q; valid values are \"go\" (pure Go, the default), \"xla:cpu\" or \"xla:cuda\" (set with -backend or $%s)", config, name, EnvVar)
	}
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, openError(config, name, fmt.Errorf("%v", r))
		}
	}()
	b, err = compute.NewWithConfig(Effective(config))
	if err != nil {
		return nil, openError(config, name, err)
	}
	return b, nil
}

func openError(config, name string, cause error) error {
	if name == "go" {
		return fmt.Errorf("backend %q: %w", config, cause)
	}
	return fmt.Errorf("backend %q: cannot load the XLA PJRT plugin: %v\n"+
		"  fix: install the plugin with the go-xla installer (`go run github.com/gomlx/go-xla/cmd/pjrt_installer@v0.4.13`), "+
		"or point PJRT_PLUGIN_LIBRARY_PATH at a directory holding pjrt_c_api_cpu_plugin.so / pjrt_c_api_cuda_plugin.so "+
		"(JAX's jax-cuda13-pjrt wheel ships one), or use the pure-Go backend with -backend=go", config, firstLine(cause.Error()))
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// IsGo reports whether b is the pure-Go backend, which gets the
// patch-extraction convolution formulation (see package nin).
func IsGo(b compute.Backend) bool { return b != nil && b.String() == "go" }

// Info describes a backend for run records.
type Info struct {
	Config      string `json:"config"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Describe returns the Info of an open backend: Config as asked for (see
// Resolve), and a Description that names the settings Open added.
func Describe(config string, b compute.Backend) Info {
	d := b.Description()
	if e := Effective(config); e != Resolve(config) {
		d += " [" + e + "]"
	}
	return Info{Config: Resolve(config), Name: b.String(), Description: d}
}

// SIMDKernels reports whether this binary was built with GOEXPERIMENT=simd,
// which compiles GoMLX's AVX2/AVX-512 kernels: without them the Go backend
// falls back to generic loops, several times slower (4.6x on the main job,
// measured on an AVX2 machine).
func SIMDKernels() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "GOEXPERIMENT" && slices.Contains(strings.Split(s.Value, ","), "simd") {
			return true
		}
	}
	return false
}

// Warning is what a user should hear before training on backend config
// with this binary, or "": the Go backend without its SIMD kernels.
func Warning(config string) string {
	name, _, _ := strings.Cut(Resolve(config), ":")
	if name == "go" && !SIMDKernels() {
		return "warning: this binary was built without GOEXPERIMENT=simd, so GoMLX's Go backend runs without its SIMD kernels, several times slower; build with the Makefile, or export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd first"
	}
	return ""
}

// ModuleVersion returns the version of a dependency module compiled into
// the running binary (e.g. "github.com/gomlx/gomlx"), or "unknown".
func ModuleVersion(path string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, d := range bi.Deps {
		if d.Path == path {
			if d.Replace != nil {
				return d.Replace.Version
			}
			return d.Version
		}
	}
	return "unknown"
}
