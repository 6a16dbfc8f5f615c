package form_test

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"testing"
)

// pkg is an Office Open XML package as its parts: name (without a leading
// slash) to bytes.
type pkg map[string][]byte

func readPackage(t *testing.T, file string) pkg {
	t.Helper()
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	p := pkg{}
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		buf, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		p[f.Name] = buf
	}
	return p
}

type relationships struct {
	Rels []struct {
		ID         string `xml:"Id,attr"`
		Type       string `xml:"Type,attr"`
		Target     string `xml:"Target,attr"`
		TargetMode string `xml:"TargetMode,attr"`
	} `xml:"Relationship"`
}

// problems lists what would make Excel offer to repair the package: a
// relationship whose target part is missing, a part no content type covers.
func (p pkg) problems() []string {
	var out []string
	var types struct {
		Defaults []struct {
			Extension string `xml:"Extension,attr"`
		} `xml:"Default"`
		Overrides []struct {
			PartName string `xml:"PartName,attr"`
		} `xml:"Override"`
	}
	if err := xml.Unmarshal(p["[Content_Types].xml"], &types); err != nil {
		return []string{"[Content_Types].xml: " + err.Error()}
	}
	byExt, byName := map[string]bool{}, map[string]bool{}
	for _, d := range types.Defaults {
		byExt[strings.ToLower(d.Extension)] = true
	}
	for _, o := range types.Overrides {
		byName[strings.ToLower(strings.TrimPrefix(o.PartName, "/"))] = true
		if _, ok := p[strings.TrimPrefix(o.PartName, "/")]; !ok {
			out = append(out, fmt.Sprintf("content type for %s, which is not in the package", o.PartName))
		}
	}
	for name, data := range p {
		if name == "[Content_Types].xml" {
			continue
		}
		ext := strings.TrimPrefix(strings.ToLower(path.Ext(name)), ".")
		if !byName[strings.ToLower(name)] && !byExt[ext] {
			out = append(out, "no content type for "+name)
		}
		if ext != "rels" {
			continue
		}
		var rels relationships
		if err := xml.Unmarshal(data, &rels); err != nil {
			out = append(out, name+": "+err.Error())
			continue
		}
		// xl/_rels/workbook.xml.rels holds the relationships of
		// xl/workbook.xml: targets are relative to xl/.
		base := path.Dir(path.Dir(name))
		seen := map[string]bool{}
		for _, r := range rels.Rels {
			if seen[r.ID] {
				out = append(out, fmt.Sprintf("%s: relationship id %s twice", name, r.ID))
			}
			seen[r.ID] = true
			if r.TargetMode == "External" {
				continue
			}
			target := path.Clean(path.Join(base, r.Target))
			if strings.HasPrefix(r.Target, "/") {
				target = strings.TrimPrefix(r.Target, "/")
			}
			if _, ok := p[target]; !ok {
				out = append(out, fmt.Sprintf("%s: %s points at %s, which is not in the package", name, r.ID, target))
			}
		}
	}
	if _, ok := p["_rels/.rels"]; !ok {
		out = append(out, "no _rels/.rels")
	}
	sort.Strings(out)
	return out
}

// sheetPart is the worksheet part of the sheet named name.
func (p pkg) sheetPart(t *testing.T, name string) string {
	t.Helper()
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels relationships
	if err := xml.Unmarshal(p["xl/workbook.xml"], &wb); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(p["xl/_rels/workbook.xml.rels"], &rels); err != nil {
		t.Fatal(err)
	}
	for _, s := range wb.Sheets {
		if s.Name != name {
			continue
		}
		for _, r := range rels.Rels {
			if r.ID == s.ID {
				return path.Clean(path.Join("xl", r.Target))
			}
		}
	}
	t.Fatalf("no sheet %q in the package", name)
	return ""
}

// protection reports whether the sheet is protected, and whether with a
// password.
func (p pkg) protection(t *testing.T, sheet string) (on, password bool) {
	t.Helper()
	var ws struct {
		Protection *struct {
			Sheet     string `xml:"sheet,attr"`
			Password  string `xml:"password,attr"`
			HashValue string `xml:"hashValue,attr"`
		} `xml:"sheetProtection"`
	}
	if err := xml.Unmarshal(p[p.sheetPart(t, sheet)], &ws); err != nil {
		t.Fatal(err)
	}
	if ws.Protection == nil {
		return false, false
	}
	on = ws.Protection.Sheet == "1" || ws.Protection.Sheet == "true"
	return on, ws.Protection.Password != "" || ws.Protection.HashValue != ""
}
