package config

import (
	"fmt"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// field is one settable key of Config.
type field struct {
	key string
	v   reflect.Value
}

// fields lists the settable keys of c (following embedded structs).
func (c *Config) fields() []field {
	var out []field
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Anonymous {
				walk(v.Field(i))
				continue
			}
			key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if key == "" || key == "-" {
				continue
			}
			out = append(out, field{key, v.Field(i)})
		}
	}
	walk(reflect.ValueOf(c).Elem())
	return out
}

// Keys lists every key accepted by Set, sorted.
func Keys() []string {
	c := Defaults()
	var keys []string
	for _, f := range c.fields() {
		keys = append(keys, f.key)
	}
	slices.Sort(keys)
	return keys
}

// Set applies "key=value" assignments separated by ';' or newlines, as
// GoMLX's -set flag does. '#' starts a comment. An unknown key, a value of
// the wrong type, a non-finite number and a key given twice are errors
// naming the key. (Layers override each other: defaults, then settings
// files, then -set; within one string each key is given once.)
func (c *Config) Set(assignments string) error {
	byKey := map[string]reflect.Value{}
	for _, f := range c.fields() {
		byKey[f.key] = f.v
	}
	seen := map[string]string{}
	for _, line := range settingLines(assignments) {
		k, val, ok := strings.Cut(line, "=")
		if !ok {
			return fmt.Errorf("setting %q: expected key=value", line)
		}
		k, val = strings.TrimSpace(k), strings.TrimSpace(val)
		fv, ok := byKey[k]
		if !ok {
			return fmt.Errorf("unknown setting %q: valid keys are %s", k, strings.Join(Keys(), ", "))
		}
		if prev, dup := seen[k]; dup {
			return fmt.Errorf("setting %s is given twice (%s=%s, then %s=%s): give it once", k, k, prev, k, val)
		}
		seen[k] = val
		if err := setValue(fv, val); err != nil {
			return fmt.Errorf("setting %s=%q: %w", k, val, err)
		}
	}
	return nil
}

func setValue(v reflect.Value, s string) error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("expected true or false")
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("expected an integer")
		}
		v.SetInt(n)
	case reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return fmt.Errorf("expected a non-negative integer")
		}
		v.SetUint(n)
	case reflect.Float64:
		f, err := parseFloat(s)
		if err != nil {
			return err
		}
		v.SetFloat(f)
	default:
		return fmt.Errorf("unsupported kind %s", v.Kind())
	}
	return nil
}

// parseFloat accepts decimals and fractions such as "1/4".
func parseFloat(s string) (float64, error) {
	if a, b, ok := strings.Cut(s, "/"); ok {
		x, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
		y, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
		if err1 != nil || err2 != nil || y == 0 || !finite(x) || !finite(y) {
			return 0, fmt.Errorf("expected a number or a fraction like 1/4")
		}
		return x / y, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("expected a number")
	}
	if !finite(f) {
		return 0, fmt.Errorf("expected a finite number")
	}
	return f, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// SettingKeys returns the keys an assignments string sets, in order
// (malformed lines are skipped: Set reports them).
func SettingKeys(settings string) []string {
	var keys []string
	for _, kv := range assignments(settings) {
		keys = append(keys, kv[0])
	}
	return keys
}

// SetFile applies a settings file: one key=value per line, '#' comments.
func (c *Config) SetFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := c.Set(string(b)); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Merge combines layers of settings into one, later layers overriding
// earlier ones key by key (defaults < settings files < -set). Each layer
// must be valid on its own (Set's rules: known keys, good values, each key
// once); the result lists every key once, in the order first given.
func Merge(layers ...string) (string, error) {
	var order []string
	values := map[string]string{}
	for _, l := range layers {
		scratch := Defaults()
		if err := scratch.Set(l); err != nil {
			return "", err
		}
		for _, kv := range assignments(l) {
			if _, ok := values[kv[0]]; !ok {
				order = append(order, kv[0])
			}
			values[kv[0]] = kv[1]
		}
	}
	var out []string
	for _, k := range order {
		out = append(out, k+"="+values[k])
	}
	return strings.Join(out, ";"), nil
}

// assignments splits a settings string into its [key, value] pairs, in
// order (malformed lines are skipped: Set reports them).
func assignments(s string) [][2]string {
	var out [][2]string
	for _, line := range settingLines(s) {
		if k, v, ok := strings.Cut(line, "="); ok {
			out = append(out, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
		}
	}
	return out
}

// settingLines splits settings into their "key=value" parts: comments
// ('#' to the end of a line, whatever they contain) go first, then each
// line splits at ';'. Empty parts are dropped.
func settingLines(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		line, _, _ = strings.Cut(line, "#")
		for _, part := range strings.Split(line, ";") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}
