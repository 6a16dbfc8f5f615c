// Package store is grantpipe's DuckDB database: opening it, applying the
// schema from queries/schema in order, and writing one submission as one
// transaction.
package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	// The DuckDB driver registers itself as "duckdb".
	_ "github.com/duckdb/duckdb-go/v2"

	"grantpipe/queries"
)

// Store is an open grantpipe database.
type Store struct {
	DB       *sql.DB
	path     string
	readOnly bool
	sql      map[string]string
}

// Open opens (creating if needed) the database file at path for writing and
// brings its schema up to date. Only one process may have a database open
// for writing.
//
// DuckDB reaches no file but its own and the network not at all (external
// access is off): whatever a query asks for, it cannot read, write or attach
// a file, nor install or load an extension. Spilling to its temporary
// folder still works.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, false, "")
}

// OpenReadOnly opens an existing database for reading; it works while
// another process writes only if that process has closed it.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, true, "")
}

// OpenExporting opens the database like Open, but lets DuckDB write files
// below dir (an absolute path), and nowhere else: for COPY … TO.
func OpenExporting(ctx context.Context, path, dir string) (*Store, error) {
	return open(ctx, path, false, dir)
}

// MemoryLimit bounds DuckDB's memory; beyond it, large sorts and joins
// spill to the database's .tmp folder instead of growing the process.
const MemoryLimit = "1GB"

func open(ctx context.Context, file string, readOnly bool, exportDir string) (*Store, error) {
	dsn := file + "?memory_limit=" + MemoryLimit
	if readOnly {
		dsn += "&access_mode=read_only"
	}
	if exportDir == "" {
		dsn += "&enable_external_access=false"
	}
	db, err := sql.Open("duckdb", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", file, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		if strings.Contains(err.Error(), "Could not set lock") {
			return nil, fmt.Errorf("open database %s: another grantpipe process is writing to it: %w", file, err)
		}
		return nil, fmt.Errorf("open database %s: %w", file, err)
	}
	s := &Store{DB: db, path: file, readOnly: readOnly, sql: map[string]string{}}
	if err := s.loadQueries(); err != nil {
		db.Close()
		return nil, err
	}
	if exportDir != "" {
		// SET takes no parameters: the folder is quoted as SQL quotes a literal.
		q := strings.ReplaceAll(s.sql["store/allow_directory.sql"], "{dir}", "'"+strings.ReplaceAll(strings.TrimSuffix(exportDir, "/")+"/", "'", "''")+"'")
		if _, err := db.ExecContext(ctx, q); err != nil {
			db.Close()
			return nil, fmt.Errorf("open database %s: %w", file, err)
		}
	}
	if !readOnly {
		if _, err := s.Migrate(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.DB.Close() }

// Path is the database file.
func (s *Store) Path() string { return s.path }

func (s *Store) loadQueries() error {
	return fs.WalkDir(queries.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".sql" {
			return err
		}
		b, err := fs.ReadFile(queries.FS, p)
		if err != nil {
			return err
		}
		s.sql[p] = string(b)
		return nil
	})
}

// Query returns the SQL of an embedded query file such as
// "ingest/supersede.sql".
func (s *Store) Query(name string) (string, error) {
	q, ok := s.sql[name]
	if !ok {
		return "", fmt.Errorf("store: no query %s", name)
	}
	return q, nil
}

// Migration is one schema file.
type Migration struct {
	Version int
	Name    string
	SQL     string
	SHA256  string
}

// ErrMigrationChanged means a schema file that was applied to this database
// has been edited since: the database and the program disagree about what
// the schema is, and going on would hide it.
var ErrMigrationChanged = errors.New("schema file changed after it was applied")

// Migrations lists the numbered schema files, in order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(queries.FS, "schema")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || path.Ext(name) != ".sql" {
			return nil, fmt.Errorf("schema/%s: name must be NNN_description.sql", name)
		}
		if v == 0 {
			continue // the bookkeeping table itself
		}
		b, err := fs.ReadFile(queries.FS, "schema/"+name)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b), SHA256: hex.EncodeToString(sum[:])})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("schema: two files with version %d", ms[i].Version)
		}
	}
	return ms, nil
}

// Migrate applies every schema file not yet applied, each in its own
// transaction together with its record, and returns the names applied.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	if _, err := s.DB.ExecContext(ctx, s.sql["schema/000_migrations.sql"]); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	ms, err := Migrations()
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	applied := map[int]string{}
	rows, err := s.DB.QueryContext(ctx, s.sql["store/applied_migrations.sql"])
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	for rows.Next() {
		var v int
		var sum string
		if err := rows.Scan(&v, &sum); err != nil {
			rows.Close()
			return nil, fmt.Errorf("migrate: %w", err)
		}
		applied[v] = sum
	}
	rows.Close()
	var done []string
	for _, m := range ms {
		if sum, ok := applied[m.Version]; ok {
			if sum != m.SHA256 {
				return nil, fmt.Errorf("migrate: schema/%s: %w", m.Name, ErrMigrationChanged)
			}
			continue
		}
		tx, err := s.DB.BeginTx(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("migrate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("migrate: schema/%s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, s.sql["store/record_migration.sql"],
			m.Version, m.Name, m.SHA256, time.Now().UTC()); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("migrate: schema/%s: %w", m.Name, err)
		}
		if err := tx.Commit(); err != nil {
			return nil, fmt.Errorf("migrate: schema/%s: %w", m.Name, err)
		}
		done = append(done, m.Name)
	}
	return done, nil
}
