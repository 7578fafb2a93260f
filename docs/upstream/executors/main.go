// Command executors reproduces a limit of GoMLX's Go backend (compute
// v0.1.14): with the default number of graph executors, a large matmul
// keeps about one core busy, because idle executors hold slots of the
// worker pool its matmul fans out to. It times the same 1024x1024 matmul
// with the default configuration ("go") and with one executor per core
// ("go:num_executors=N"), alternating, and reports milliseconds per call
// and the cores the process kept busy (CPU time / wall time).
//
//	GOEXPERIMENT=simd go run ./docs/upstream/executors
package main

import (
	"fmt"
	"runtime"
	"syscall"
	"time"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

func main() {
	const n, calls = 1024, 40
	configs := []string{"go", fmt.Sprintf("go:num_executors=%d", runtime.NumCPU())}
	for round := 1; round <= 3; round++ {
		for _, cfg := range configs {
			be, err := compute.NewWithConfig(cfg)
			if err != nil {
				panic(err)
			}
			exec := MustNewExec(be, func(x, y *Node) *Node { return MatMul(x, y) })
			a := tensors.FromFlatDataAndDimensions(make([]float32, n*n), n, n) // a tensor lives on one backend
			exec.MustExec(a, a)[0].FinalizeAll()                               // compile and warm up
			wall, cores := measure(func() {
				for range calls {
					exec.MustExec(a, a)[0].FinalizeAll()
				}
			})
			fmt.Printf("round %d  %-22s %6.1f ms per %dx%d matmul, %.2f of %d cores busy\n", round, cfg, wall.Seconds()*1000/calls, n, n, cores, runtime.NumCPU())
			exec.Finalize()
			be.Finalize()
		}
	}
}

// measure runs f and returns its wall time and the cores the process kept
// busy meanwhile (user + system CPU time over wall time).
func measure(f func()) (time.Duration, float64) {
	var r0, r1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r0)
	t := time.Now()
	f()
	wall := time.Since(t)
	syscall.Getrusage(syscall.RUSAGE_SELF, &r1)
	cpu := time.Duration(r1.Utime.Nano() - r0.Utime.Nano() + r1.Stime.Nano() - r0.Stime.Nano())
	return wall, cpu.Seconds() / wall.Seconds()
}
