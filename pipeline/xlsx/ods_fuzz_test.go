package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// odsFuzzLimits are small, so that the fuzzer spends its time on structure:
// at most 95,325 cells (1 MiB / 11) and 64 KiB of text.
var odsFuzzLimits = Limits{MaxFileSize: 1 << 20, MaxUnzippedSize: 1 << 20, MaxPartSize: 64 << 10, MaxEntries: 64, MaxTextSize: 64 << 10}

// odsFuzzContents are content.xml parts that reach every kind of element
// and attribute the reader knows.
func odsFuzzContents() []string {
	return []string{
		odsContent(
			tableXML("Meldung", `<table:table-row>`+cell("Kreisschlüssel")+cell("15083")+`</table:table-row>`+
				`<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="3" office:value-type="float" office:value="1.5"/></table:table-row>`),
			`<table:table table:name="Belegliste"><table:table-header-rows><table:table-row>`+cell("Betrag")+`</table:table-row></table:table-header-rows>`+
				`<table:table-row-group><table:table-row><table:table-cell office:value-type="date" office:date-value="2026-03-31T12:00:00"/><table:table-cell office:value-type="time" office:time-value="PT12H30M00S"/>`+
				`<table:table-cell office:value-type="boolean" office:boolean-value="true"/><table:table-cell table:formula="of:=1/0" office:value-type="string" office:string-value="" calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>`+
				`<table:table-cell table:formula="of:=[.A1]"/><table:table-cell table:number-columns-spanned="2" office:value-type="string"><office:annotation><text:p>n</text:p></office:annotation><text:p>a<text:s text:c="2"/>b<text:tab/>c<text:line-break/><text:span>d<text:a>e</text:a></text:span><text:note><text:note-body><text:p>x</text:p></text:note-body></text:note></text:p><text:p/></table:table-cell><table:covered-table-cell/>`+
				`<table:table-cell office:value-type="currency" office:value="-12.5"/><table:table-cell office:value-type="percentage" office:value="0.19"/><table:table-cell office:value-type="string" office:string-value="a&#10;b"/></table:table-row></table:table-row-group>`+
				`<table:table-row table:number-rows-repeated="1048573"><table:table-cell table:number-columns-repeated="16384"/></table:table-row></table:table>`,
		),
		`<o:document-content xmlns:o="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><o:body><o:spreadsheet><table name="S"><table-row><table-cell o:value-type="float" o:value="1"/></table-row></table></o:spreadsheet></o:body></o:document-content>`,
	}
}

func odsFuzzSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, c := range odsFuzzContents() {
		seeds = append(seeds, odsPackage(t, true, odsMimetype, part{"META-INF/manifest.xml", odsManifest}, part{"content.xml", c}))
	}
	// The form saved by LibreOffice, its parts stored.
	if lo, err := os.ReadFile(filepath.Join("..", "..", "testdata", "ods", "Meldung_Boerde_Q1.ods")); err == nil {
		if zr, err := zip.NewReader(bytes.NewReader(lo), int64(len(lo))); err == nil {
			var parts []part
			for _, f := range zr.File {
				if rc, err := f.Open(); err == nil {
					b, _ := io.ReadAll(rc)
					rc.Close()
					if f.Name != "mimetype" && !strings.HasSuffix(f.Name, "/") && !strings.HasSuffix(f.Name, ".png") {
						parts = append(parts, part{f.Name, string(b)})
					}
				}
			}
			seeds = append(seeds, odsPackage(t, true, odsMimetype, parts...))
		}
	}
	seeds = append(seeds,
		odsPackage(t, true, odsMimetype, part{"META-INF/manifest.xml", `<manifest:manifest xmlns:manifest="m"><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/></manifest:file-entry></manifest:manifest>`}, part{"content.xml", "x"}),
		odsPackage(t, true, odsMimetype, part{"content.xml", utf16Content(t, odsFuzzContents()[0])}),
	)
	return seeds
}

func FuzzODS(f *testing.F) {
	for _, s := range odsFuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkODS(t, data)
	})
}

// FuzzODSContent puts the input into a well-formed package as content.xml,
// so that every input reaches the reader of sheets with a valid checksum.
func FuzzODSContent(f *testing.F) {
	for _, c := range odsFuzzContents() {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		checkODS(t, odsPackage(t, true, odsMimetype, part{"content.xml", string(content)}))
	})
}

// checkODS opens and reads every sheet, checking that failures are
// *FormatErrors and that what is returned keeps the documented promises,
// for OpenDocument files: rows in ascending order within the grid, cells
// in ascending columns, every cell non-empty, and no more text or cells
// handed out than the limits allow.
func checkODS(t *testing.T, data []byte) {
	wb, err := openBytes(data, odsFuzzLimits)
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Fatalf("Open error is not a *FormatError: %v", err)
		}
		if fe.Detail == "" {
			t.Fatalf("bad FormatError %#v", fe)
		}
		return
	}
	defer wb.Close()
	var text, cells int64
	for _, name := range wb.Sheets() {
		rs, err := wb.Rows(name)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Rows(%q) error is not a *FormatError: %v", name, err)
			}
			continue
		}
		prev := 0
		for rs.Next() {
			r := rs.Row()
			if r < 1 || r > maxRows || r <= prev {
				t.Fatalf("row %d after row %d", r, prev)
			}
			prev = r
			cs := rs.Cells()
			if len(cs) == 0 {
				t.Fatalf("row %d returned without cells", r)
			}
			for i, c := range cs {
				if c.Col < 1 || c.Col > maxCols || (i > 0 && c.Col <= cs[i-1].Col) {
					t.Fatalf("row %d: columns out of order or range: %+v", r, cs)
				}
				if !c.Formula && c.Value == "" {
					t.Fatalf("empty cell returned: %+v", c)
				}
				if c.Type < Number || c.Type > ISODate {
					t.Fatalf("bad type: %+v", c)
				}
				text += int64(len(c.Value))
				cells++
			}
			if text > odsFuzzLimits.MaxTextSize || cells > maxODSCells(odsFuzzLimits) {
				t.Fatalf("%d bytes of text in %d cells handed out", text, cells)
			}
		}
		if err := rs.Err(); err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Rows(%q).Err is not a *FormatError: %v", name, err)
			}
			textBudget := fe.Sheet == name && fe.Cell != ""
			cellBound := fe.Cell == "" && strings.Contains(fe.Detail, "cells up to here")
			if fe.Problem == ProblemTooLarge && !textBudget && !cellBound {
				t.Fatalf("too large, but neither text nor cells: %#v", fe)
			}
		}
		if err := rs.Close(); err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) || rs.Err() != err {
				t.Fatalf("Rows(%q).Close is not a *FormatError, or Err does not report it: %v, %v", name, err, rs.Err())
			}
		}
	}
}
