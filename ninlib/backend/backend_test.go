package backend

import (
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
