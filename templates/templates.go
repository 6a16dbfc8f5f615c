// Package templates embeds what forms and reports are made from: the default
// programme configuration, the message catalogue in German and English, and
// (later) fonts and report texts.
package templates

import "embed"

// FS holds every file of this directory except Go sources.
//
//go:embed *.toml fonts/*.ttf fonts/*.txt web/*.html web/*.css
var FS embed.FS
