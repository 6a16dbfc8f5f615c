package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Views are code, not migrations: each view is one file of the queries'
// views folder, NN_name.sql, holding CREATE OR REPLACE VIEW name AS …, and
// the store creates every one of them each time it opens for writing, after
// the migrations. A view (the interest formula of payout_coverage, say) is
// changed by editing its file; the migrations hold tables, sequences and
// indexes only, whose checksums stay as applied.

// View is one view file.
type View struct {
	Order int    // NN of the file name: a view comes after the views it reads
	Name  string // the view's name, the file name's rest
	SQL   string
}

// Views lists the view files of fsys in the order they are created.
func Views(fsys fs.FS) ([]View, error) {
	entries, err := fs.ReadDir(fsys, "views")
	if err != nil {
		return nil, fmt.Errorf("views: %w", err)
	}
	var vs []View
	for _, e := range entries {
		file := e.Name()
		num, name, ok := strings.Cut(strings.TrimSuffix(file, ".sql"), "_")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || n <= 0 || name == "" || path.Ext(file) != ".sql" {
			return nil, fmt.Errorf("views/%s: name must be NN_view_name.sql", file)
		}
		b, err := fs.ReadFile(fsys, "views/"+file)
		if err != nil {
			return nil, fmt.Errorf("views: %w", err)
		}
		// One view per file, named after it: the file is where a reader
		// looks for the view.
		text := string(b)
		if !strings.Contains(text, "CREATE OR REPLACE VIEW "+name+" AS") || strings.Count(strings.ToUpper(text), "CREATE ") != 1 {
			return nil, fmt.Errorf("views/%s: must hold one statement, CREATE OR REPLACE VIEW %s AS …", file, name)
		}
		vs = append(vs, View{Order: n, Name: name, SQL: text})
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("views: no view files")
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].Order < vs[j].Order })
	for i := 1; i < len(vs); i++ {
		if vs[i].Order == vs[i-1].Order {
			return nil, fmt.Errorf("views: %s and %s have the same number %d", vs[i-1].Name, vs[i].Name, vs[i].Order)
		}
	}
	return vs, nil
}

// createViews (re)creates every view in one transaction: a database opened
// for writing has the views of the program that opened it, whatever an
// earlier version left.
func (s *Store) createViews(ctx context.Context) error {
	vs, err := Views(s.fsys)
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("views: %w", err)
	}
	for _, v := range vs {
		if _, err := tx.ExecContext(ctx, v.SQL); err != nil {
			return fmt.Errorf("views: %s: %w", v.Name, errors.Join(err, tx.Rollback()))
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("views: %w", err)
	}
	return nil
}
