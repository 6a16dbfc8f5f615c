// Package messages is the catalogue of every text grantpipe shows a person, in
// German and English. Texts live in templates/messages.toml, not in Go string
// literals, so that ministry staff can reword them and translations stay side
// by side.
package messages

import (
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"grantpipe/templates"
)

// Langs are the languages every message must have; the first is the default.
var Langs = []string{"de", "en"}

// Catalog maps a message key such as "amount.ambiguous" to its texts.
type Catalog struct {
	texts map[string]map[string]string
}

// Args are the named values a message template refers to as {name}: a
// string as it is, or a Localizer, which is shown in each language's own
// form (amounts, dates).
type Args map[string]any

// Localizer is a value that reads differently per language.
type Localizer interface {
	Localize(lang string) string
}

// Decimal is a plain decimal such as "86.125", shown with a decimal comma in
// German.
type Decimal string

// Localize implements Localizer.
func (d Decimal) Localize(lang string) string {
	if lang == "de" {
		return strings.Replace(string(d), ".", ",", 1)
	}
	return string(d)
}

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

// Load parses a catalogue file: one TOML table per key, with a string per
// language. Every key must have every language, and every language of a key
// must name the same placeholders, so a translation cannot silently drop a
// figure the user needs.
func Load(fsys fs.FS, name string) (*Catalog, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		return nil, fmt.Errorf("messages: %s: %w", name, err)
	}
	c := &Catalog{texts: map[string]map[string]string{}}
	var problems []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		if _, isLeaf := m[Langs[0]]; isLeaf {
			texts := map[string]string{}
			for lang, v := range m {
				s, ok := v.(string)
				if !ok {
					problems = append(problems, fmt.Sprintf("%s.%s is not a string", prefix, lang))
					continue
				}
				texts[lang] = s
			}
			for _, lang := range Langs {
				if texts[lang] == "" {
					problems = append(problems, fmt.Sprintf("%s has no %q text", prefix, lang))
				}
			}
			want := placeholderSet(texts[Langs[0]])
			for _, lang := range Langs[1:] {
				if got := placeholderSet(texts[lang]); got != want {
					problems = append(problems, fmt.Sprintf("%s: %s names %s, %s names %s", prefix, Langs[0], want, lang, got))
				}
			}
			c.texts[prefix] = texts
			return
		}
		for k, v := range m {
			sub, ok := v.(map[string]any)
			key := strings.TrimPrefix(prefix+"."+k, ".")
			if !ok {
				problems = append(problems, fmt.Sprintf("%s is not a table of texts", key))
				continue
			}
			walk(key, sub)
		}
	}
	walk("", raw)
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("messages: %s: %s", name, strings.Join(problems, "; "))
	}
	return c, nil
}

func placeholderSet(s string) string {
	ps := placeholder.FindAllString(s, -1)
	sort.Strings(ps)
	out := ps[:0]
	for i, p := range ps {
		if i == 0 || p != ps[i-1] {
			out = append(out, p)
		}
	}
	return strings.Join(out, ",")
}

// Default loads the built-in catalogue: templates/messages.toml and every
// templates/messages_*.toml (one file per part of the program: report
// texts, feedback texts …). A key may be defined in one file only.
func Default() (*Catalog, error) {
	names, err := fs.Glob(templates.FS, "messages*.toml")
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	sort.Strings(names)
	all := &Catalog{texts: map[string]map[string]string{}}
	for _, n := range names {
		c, err := Load(templates.FS, n)
		if err != nil {
			return nil, err
		}
		for k, v := range c.texts {
			if _, dup := all.texts[k]; dup {
				return nil, fmt.Errorf("messages: %s: key %s is defined in another file too", n, k)
			}
			all.texts[k] = v
		}
	}
	return all, nil
}

// Has reports whether key is in the catalogue.
func (c *Catalog) Has(key string) bool { _, ok := c.texts[key]; return ok }

// Keys lists every key, sorted.
func (c *Catalog) Keys() []string {
	keys := make([]string, 0, len(c.texts))
	for k := range c.texts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Text renders key in lang, filling {name} placeholders from args. An unknown
// language falls back to German; an unknown key renders as the key itself
// (tests assert every key used exists, so this only shows in development).
func (c *Catalog) Text(lang, key string, args Args) string {
	texts, ok := c.texts[key]
	if !ok {
		return key
	}
	s, ok := texts[lang]
	if !ok {
		lang = Langs[0]
		s = texts[lang]
	}
	return placeholder.ReplaceAllStringFunc(s, func(p string) string {
		switch v := args[p[1:len(p)-1]].(type) {
		case string:
			return v
		case Localizer:
			return v.Localize(lang)
		case fmt.Stringer:
			return v.String()
		case nil:
			return p
		default:
			return fmt.Sprint(v)
		}
	})
}
