package feedback

import (
	"bytes"
	"regexp"
	"strconv"
)

// The district's shared strings are not given to excelize. It would parse
// them whole (every distinct text of a 2,000-line workbook) and write them
// back, only to append the texts of the result sheet: that was more than
// half of a workbook without marks. excelize gets an empty table instead,
// so the result sheet's texts are numbered from 0; when the workbook is
// written they are appended to the district's table, copied as it is but
// for its counts, and the result sheet's references are moved past the
// district's texts (sharedTexts). Nothing else excelize writes refers to a
// shared text: the marked sheets keep their cells' references as they
// are, and comments hold their own text.

// emptySST is the table of shared strings excelize gets.
var emptySST = []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
	`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"></sst>`)

// sharedTexts is the district's table of shared strings, kept from
// excelize.
type sharedTexts struct {
	orig []byte
	// n is the number of texts in orig; open and close are the ends of
	// its sst start tag and the start of its end tag.
	n, open, close int
	// sheet is excelize's name of the result sheet's part, set once it
	// exists.
	sheet string
}

var (
	sstStart  = regexp.MustCompile(`<sst[\s>]`)
	sstItem   = regexp.MustCompile(`<si[\s/>]`)
	sstCounts = regexp.MustCompile(`\s(?:count|uniqueCount)\s*=\s*("[^"]*"|'[^']*')`)
	sharedRef = regexp.MustCompile(`(<c\s[^>]*\bt="s"[^>]*><v>)(\d+)(</v>)`)
)

// keepSharedTexts returns the table to hold back from excelize, or false
// when it is to be given as before: one not in the transitional namespace
// without a prefix, or with no texts (excelize's own then serves).
func keepSharedTexts(data []byte) (*sharedTexts, bool) {
	loc := sstStart.FindIndex(data)
	if loc == nil || len(sstStart.FindAll(data, 2)) != 1 {
		return nil, false
	}
	open, ok := startTagEnd(data, loc[0])
	if !ok || data[open-2] == '/' {
		return nil, false
	}
	if !bytes.Contains(data[loc[0]:open], []byte(`xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`)) {
		return nil, false
	}
	end := bytes.LastIndex(data, []byte("</sst>"))
	if end < open || bytes.Contains(data[open:end], []byte("<![CDATA[")) {
		return nil, false
	}
	n := len(sstItem.FindAllIndex(data[open:end], -1))
	if n == 0 {
		return nil, false
	}
	return &sharedTexts{orig: data, n: n, open: open, close: end}, true
}

// table is the district's table with the texts of written, excelize's
// table, appended.
func (s *sharedTexts) table(written []byte) ([]byte, error) {
	loc := sstStart.FindIndex(written)
	if loc == nil {
		return nil, errSplice
	}
	open, ok := startTagEnd(written, loc[0])
	if !ok {
		return nil, errSplice
	}
	var items []byte
	k := 0
	if written[open-2] != '/' {
		end := bytes.LastIndex(written, []byte("</sst>"))
		if end < open {
			return nil, errSplice
		}
		items = written[open:end]
		k = len(sstItem.FindAllIndex(items, -1))
	}
	total := strconv.Itoa(s.n + k)
	head := sstCounts.ReplaceAll(s.orig[:s.open-1], nil)
	var out bytes.Buffer
	out.Grow(len(s.orig) + len(items) + 64)
	out.Write(head)
	out.WriteString(` count="` + total + `" uniqueCount="` + total + `">`)
	out.Write(s.orig[s.open:s.close])
	out.Write(items)
	out.Write(s.orig[s.close:])
	return out.Bytes(), nil
}

// resultSheet is the result sheet's part as excelize wrote it, its
// references to shared texts moved past the district's.
func (s *sharedTexts) resultSheet(written []byte) []byte {
	return sharedRef.ReplaceAllFunc(written, func(c []byte) []byte {
		m := sharedRef.FindSubmatch(c)
		i, err := strconv.Atoi(string(m[2]))
		if err != nil {
			return c
		}
		return append(append(append([]byte{}, m[1]...), strconv.Itoa(i+s.n)...), m[3]...)
	})
}
