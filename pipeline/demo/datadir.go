package demo

import (
	"bytes"
	"fmt"

	"grantpipe/pipeline/atomicfile"
	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/programme"
)

// WriteInto writes the demo submissions of programme p's demo year into
// the inbox of data directory d, and returns how many it wrote.
func WriteInto(d datadir.Dir, p *programme.Programme, cat *messages.Catalog) (int, error) {
	return writeInto(d, p, cat, Write)
}

// WriteYearInto writes the whole year's demo submissions (WriteYear) into
// the inbox of d, and returns how many it wrote.
func WriteYearInto(d datadir.Dir, p *programme.Programme, cat *messages.Catalog) (int, error) {
	return writeInto(d, p, cat, WriteYear)
}

type writer func(*programme.Year, *messages.Catalog, func(string) string) ([]File, []Problem, error)

func writeInto(d datadir.Dir, p *programme.Programme, cat *messages.Catalog, write writer) (int, error) {
	y, ok := p.Year(Year)
	if !ok {
		return 0, fmt.Errorf("demo: the configuration has no budget year %d", Year)
	}
	if err := d.Ensure(p.AllDistricts()); err != nil {
		return 0, err
	}
	files, _, err := write(y, cat, d.InboxOf)
	return len(files), err
}

// WriteScaledInto writes synthetic submissions of any size for districts
// districts into the inbox of d, and the configuration that knows their
// districts into d's programme.toml, where every later command finds it.
// It returns how many files it wrote.
func WriteScaledInto(d datadir.Dir, base *programme.Programme, cat *messages.Catalog, districts int, s Scale) (int, error) {
	p, err := ScaledProgramme(base, districts)
	if err != nil {
		return 0, err
	}
	if err := d.Ensure(p.AllDistricts()); err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	if err := p.WriteTOML(&buf); err != nil {
		return 0, err
	}
	if err := atomicfile.Write(d.Programme(), buf.Bytes()); err != nil {
		return 0, err
	}
	files, err := WriteScaled(p.Years[0], cat, d.InboxOf, s)
	return len(files), err
}
