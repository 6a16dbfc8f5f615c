// Package workbook is what the workbooks grantpipe writes with excelize
// (forms, reports, feedback) do alike.
//
// Their styles' fonts name the workbook's default font family: a font
// without a family is shown in whatever the office suite falls back to.
// LibreOffice takes a serif font, wider than Calibri, so that texts
// wrapped to fit no longer fit.
package workbook

import (
	"strconv"

	"github.com/xuri/excelize/v2"
)

// Font is fn naming the default font family of f when it names none.
func Font(f *excelize.File, fn excelize.Font) (*excelize.Font, error) {
	if fn.Family == "" {
		family, err := f.GetDefaultFont()
		if err != nil {
			return nil, err
		}
		fn.Family = family
	}
	return &fn, nil
}

// Style adds style s to f, its font naming f's default family when it
// names none (s itself is not changed), and returns the style's id.
func Style(f *excelize.File, s *excelize.Style) (int, error) {
	if s.Font != nil && s.Font.Family == "" {
		fn, err := Font(f, *s.Font)
		if err != nil {
			return 0, err
		}
		c := *s
		c.Font = fn
		s = &c
	}
	return f.NewStyle(s)
}

// SheetPart is the zip part excelize writes sheet into when it writes f
// ("xl/worksheets/sheet3.xml"; it names a sheet's part by its sheet id);
// "" when f has no such sheet.
func SheetPart(f *excelize.File, sheet string) string {
	for id, name := range f.GetSheetMap() {
		if name == sheet {
			return "xl/worksheets/sheet" + strconv.Itoa(id) + ".xml"
		}
	}
	return ""
}
