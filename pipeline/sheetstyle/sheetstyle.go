// Package sheetstyle makes the styles of the workbooks grantpipe writes
// (forms, reports, feedback) with fonts that name the workbook's default
// font family. A font without a family is shown in whatever the office
// suite falls back to: LibreOffice takes a serif font, wider than Calibri,
// so that texts wrapped to fit no longer fit.
package sheetstyle

import "github.com/xuri/excelize/v2"

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

// New adds style s to f, its font naming f's default family when it names
// none (s itself is not changed), and returns the style's id.
func New(f *excelize.File, s *excelize.Style) (int, error) {
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
