// Package data embeds the dataset checksum manifest (manifest.json) so that
// every binary verifies the same files against the same numbers. The dataset
// files themselves are never committed; see README.md beside this file.
package data

import _ "embed"

// Manifest is the JSON text of manifest.json.
//
//go:embed manifest.json
var Manifest []byte
