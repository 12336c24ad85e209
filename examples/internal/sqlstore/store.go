package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// Config configures a [Store]. The zero Config opens an empty database in
// memory with the default page sizes.
type Config struct {
	// Path is the SQLite database file, created when it does not exist.
	// Empty means a database in memory, lost when the Store is closed.
	Path string

	// Now returns the time recorded for each version (meta.lastUpdated and
	// _since). Nil means time.Now.
	Now func() time.Time

	// PageSize is the page size of a search or history without _count.
	// Zero means 50.
	PageSize int

	// MaxPageSize caps _count. Zero means 1,000.
	MaxPageSize int
}

// Store is a [compartment.Repository] over SQLite. Build it with [Open];
// the zero value is not usable. It is safe for concurrent use: one
// database connection serves the calls one at a time.
type Store struct {
	db  *sql.DB
	cfg Config
}

// schema creates the tables of an empty database; on an existing one it
// changes nothing.
const schema = `
CREATE TABLE IF NOT EXISTS version (
	seq     INTEGER PRIMARY KEY,
	type    TEXT    NOT NULL,
	id      TEXT    NOT NULL,
	vid     INTEGER NOT NULL,
	at      TEXT    NOT NULL,
	current INTEGER NOT NULL,
	json    BLOB,
	UNIQUE (type, id, vid)
);
CREATE INDEX IF NOT EXISTS version_current ON version (type, current, id);
CREATE TABLE IF NOT EXISTS search_index (
	vseq     INTEGER NOT NULL,
	param    TEXT    NOT NULL,
	kind     INTEGER NOT NULL,
	sys      TEXT    NOT NULL DEFAULT '',
	code     TEXT    NOT NULL DEFAULT '',
	text     TEXT    NOT NULL DEFAULT '',
	tsys     TEXT    NOT NULL DEFAULT '',
	tcode    TEXT    NOT NULL DEFAULT '',
	ref      TEXT    NOT NULL DEFAULT '',
	ref_base TEXT    NOT NULL DEFAULT '',
	ref_type TEXT    NOT NULL DEFAULT '',
	ref_id   TEXT    NOT NULL DEFAULT '',
	str      TEXT    NOT NULL DEFAULT '',
	norm     TEXT    NOT NULL DEFAULT '',
	low      TEXT,
	high     TEXT,
	num      REAL,
	unit     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS search_index_vseq ON search_index (vseq, param);
CREATE INDEX IF NOT EXISTS search_index_ref ON search_index (param, ref_type, ref_id);
CREATE INDEX IF NOT EXISTS search_index_code ON search_index (param, code);
`

// Open opens (or creates) the database cfg names and returns a Store.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.PageSize < 0 || cfg.MaxPageSize < 0 {
		return nil, errors.New("sqlstore: PageSize and MaxPageSize must not be negative")
	}
	cfg = cfg.withDefaults()
	db, err := sql.Open("sqlite", dataSource(cfg.Path))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: opening the database: %w", err)
	}
	// One connection, never closed while the Store lives: an in-memory
	// database exists only inside its connection.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := initialize(ctx, db, cfg.Path != ""); err != nil {
		_ = db.Close()
		return nil, err
	}
	return &Store{db: db, cfg: cfg}, nil
}

// withDefaults fills in the zero fields of c.
func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.PageSize == 0 {
		c.PageSize = 50
	}
	if c.MaxPageSize == 0 {
		c.MaxPageSize = 1000
	}
	return c
}

// dataSource returns the driver's data source name for a path.
func dataSource(path string) string {
	if path == "" {
		return ":memory:"
	}
	return "file:" + path
}

// initialize sets the connection's pragmas and creates the schema.
func initialize(ctx context.Context, db *sql.DB, onDisk bool) error {
	pragmas := []string{"PRAGMA busy_timeout = 5000"}
	if onDisk {
		pragmas = append(pragmas, "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL")
	}
	for _, p := range append(pragmas, schema) {
		if _, err := db.ExecContext(ctx, p); err != nil {
			return fmt.Errorf("sqlstore: preparing the database: %w", err)
		}
	}
	return nil
}

// Close closes the database. An in-memory database is lost.
func (s *Store) Close() error { return s.db.Close() }

// pageSize returns the page size for a _count of n.
func (s *Store) pageSize(n int) int {
	if n <= 0 {
		return s.cfg.PageSize
	}
	return min(n, s.cfg.MaxPageSize)
}
