package sheetstyle

import (
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
	id, err := New(f, s)
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
		t.Errorf("New changed the caller's style: %+v", s.Font)
	}
	named, err := Font(f, excelize.Font{Family: "DejaVu Sans Mono", Size: 9})
	if err != nil || named.Family != "DejaVu Sans Mono" || named.Size != 9 {
		t.Errorf("a named font: %+v, %v", named, err)
	}
	id, err = New(f, &excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := f.GetStyle(id); got.Font != nil && got.Font.Family != "" && got.Font.Family != "Carlito" {
		t.Errorf("a style without a font got %+v", got.Font)
	}
}
