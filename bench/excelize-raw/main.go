// Command excelize-raw is a peer of grantpipe's ingest in bench/compare.sh:
// excelize's own streaming row reader over every sheet of every workbook
// under a folder, with raw cell values (the options DEPENDENCIES.md asks
// for), files read one at a time. It parses no value and stores nothing, so
// it is the floor of what reading the same files with excelize costs.
//
//	go run ./bench/excelize-raw INBOX
//
// It prints the files, rows and non-empty cells it read, and the seconds.
package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: excelize-raw INBOX")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "excelize-raw:", err)
		os.Exit(1)
	}
}

func run(inbox string) error {
	var files []string
	err := filepath.WalkDir(inbox, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(p, ".xlsx") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	start := time.Now()
	rows, cells := 0, 0
	for _, p := range files {
		r, c, err := read(p)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		rows, cells = rows+r, cells+c
	}
	seconds := time.Since(start).Seconds()
	fmt.Printf("files=%d rows=%d cells=%d seconds=%.2f rows_per_s=%.0f\n", len(files), rows, cells, seconds, float64(rows)/seconds)
	return nil
}

// read streams every sheet of one workbook and counts its rows and
// non-empty cells.
func read(path string) (rows, cells int, err error) {
	f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true, UnzipSizeLimit: 1 << 30, UnzipXMLSizeLimit: 256 << 20})
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		rs, err := f.Rows(sheet)
		if err != nil {
			return 0, 0, err
		}
		for rs.Next() {
			cols, err := rs.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				rs.Close()
				return 0, 0, err
			}
			rows++
			for _, c := range cols {
				if c != "" {
					cells++
				}
			}
		}
		if err := rs.Close(); err != nil {
			return 0, 0, err
		}
	}
	return rows, cells, nil
}
