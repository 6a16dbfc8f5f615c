package workbook

import (
	"archive/zip"
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestFontsNameTheDefaultFamily(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetDefaultFont("Carlito"); err != nil {
		t.Fatal(err)
	}
	s := &excelize.Style{Font: &excelize.Font{Bold: true}}
	id, err := Style(f, s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Font == nil || got.Font.Family != "Carlito" || !got.Font.Bold {
		t.Errorf("font %+v, want bold Carlito", got.Font)
	}
	if s.Font.Family != "" {
		t.Errorf("Style changed the caller's style: %+v", s.Font)
	}
	named, err := Font(f, excelize.Font{Family: "DejaVu Sans Mono", Size: 9})
	if err != nil || named.Family != "DejaVu Sans Mono" || named.Size != 9 {
		t.Errorf("a named font: %+v, %v", named, err)
	}
}

// The part SheetPart names is where the sheet's cells are when f is
// written.
func TestSheetPartIsWhereTheSheetIsWritten(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	for _, name := range []string{"Belege", "Befunde"} {
		if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.DeleteSheet("Belege"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("Befunde", "A1", "hier"); err != nil {
		t.Fatal(err)
	}
	part := SheetPart(f, "Befunde")
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, e := range z.File {
		if e.Name != part {
			continue
		}
		r, _ := e.Open()
		var b bytes.Buffer
		b.ReadFrom(r)
		r.Close()
		found = bytes.Contains(b.Bytes(), []byte("hier")) || bytes.Contains(b.Bytes(), []byte(`<c r="A1"`))
	}
	if !found {
		t.Errorf("part %q does not hold the sheet's cell", part)
	}
	if p := SheetPart(f, "Belege"); p != "" {
		t.Errorf("a deleted sheet's part: %q", p)
	}
}
