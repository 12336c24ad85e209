package memstore

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// Config configures a [Store]. The zero Config is valid.
type Config struct {
	// Now returns the time recorded for each version, used by _since.
	// Nil means time.Now.
	Now func() time.Time

	// PageSize is the page size when a query gives no _count. Zero means
	// 50.
	PageSize int

	// MaxPageSize caps _count. Zero means 1,000.
	MaxPageSize int
}

// Store is an in-memory [compartment.Repository]. It keeps every version
// of every resource, in creation order, and evaluates searches with the
// FHIR R4 search parameter definitions. Build it with [New]; the zero
// value is not usable. It is safe for concurrent use.
type Store struct {
	cfg Config

	mu    sync.RWMutex
	seq   int                 // last assigned ID
	byKey map[string]*entry   // "Type/id" -> entry
	order []string            // keys in creation order
	types map[string][]string // type -> keys in creation order
	log   []versionRef        // every version, oldest first, for history
}

// entry is one resource: its versions, oldest first. A deletion is a
// version without JSON.
type entry struct {
	versions []version
}

// version is one stored version with the time it was written.
type version struct {
	res compartment.Resource
	at  time.Time
}

// versionRef points at one version in the history log.
type versionRef struct {
	key string
	n   int // index in entry.versions
}

// New returns an empty Store.
func New(cfg Config) (*Store, error) {
	if cfg.PageSize < 0 || cfg.MaxPageSize < 0 {
		return nil, fmt.Errorf("memstore: PageSize and MaxPageSize must not be negative")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PageSize == 0 {
		cfg.PageSize = 50
	}
	if cfg.MaxPageSize == 0 {
		cfg.MaxPageSize = 1000
	}
	return &Store{cfg: cfg, byKey: make(map[string]*entry), types: make(map[string][]string)}, nil
}

// current returns the current version of key, or false when it does not
// exist or is deleted. The caller holds the lock.
func (s *Store) current(key string) (compartment.Resource, bool) {
	e := s.byKey[key]
	if e == nil {
		return compartment.Resource{}, false
	}
	r := e.versions[len(e.versions)-1].res
	return r, r.JSON != nil
}

// Read implements [compartment.Repository].
func (s *Store) Read(_ context.Context, typ, id string) (compartment.Resource, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.current(typ + "/" + id)
	if !ok {
		return compartment.Resource{}, compartment.ErrNotFound
	}
	return r, nil
}

// VRead implements [compartment.Repository].
func (s *Store) VRead(_ context.Context, typ, id, vid string) (compartment.Resource, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e := s.byKey[typ+"/"+id]
	if e == nil {
		return compartment.Resource{}, compartment.ErrNotFound
	}
	for _, v := range e.versions {
		if v.res.Version == vid && v.res.JSON != nil {
			return v.res, nil
		}
	}
	return compartment.Resource{}, compartment.ErrNotFound
}

// Create implements [compartment.Repository]. It assigns the next numeric
// ID when r.ID is empty, and writes the ID into the JSON when the JSON
// has none.
func (s *Store) Create(_ context.Context, r compartment.Resource) (compartment.Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.ID == "" {
		s.seq++
		r.ID = strconv.Itoa(s.seq)
	}
	if _, exists := s.byKey[r.Reference()]; exists {
		return compartment.Resource{}, fmt.Errorf("memstore: %s already exists: %w",
			r.Reference(), compartment.ErrInvalid)
	}
	return s.put(r)
}

// Update implements [compartment.Repository]. Updating a resource that
// does not exist creates it.
func (s *Store) Update(_ context.Context, r compartment.Resource) (compartment.Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.ID == "" {
		return compartment.Resource{}, fmt.Errorf("memstore: update without ID: %w",
			compartment.ErrInvalid)
	}
	return s.put(r)
}

// Delete implements [compartment.Repository].
func (s *Store) Delete(_ context.Context, typ, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := typ + "/" + id
	if _, ok := s.current(key); !ok {
		return compartment.ErrNotFound
	}
	e := s.byKey[key]
	vid := strconv.Itoa(len(e.versions) + 1)
	s.append(key, compartment.Resource{Type: typ, ID: id, Version: vid})
	return nil
}

// put validates r and stores it as the next version. The caller holds the
// lock.
func (s *Store) put(r compartment.Resource) (compartment.Resource, error) {
	data, err := withID(r)
	if err != nil {
		return compartment.Resource{}, err
	}
	key := r.Reference()
	n := 1
	if e := s.byKey[key]; e != nil {
		n = len(e.versions) + 1
	}
	r.JSON, r.Version = data, strconv.Itoa(n)
	s.append(key, r)
	return r, nil
}

// append adds a version to key's entry and to the history log. The caller
// holds the lock.
func (s *Store) append(key string, r compartment.Resource) {
	e := s.byKey[key]
	if e == nil {
		e = &entry{}
		s.byKey[key] = e
		s.order = append(s.order, key)
		s.types[r.Type] = append(s.types[r.Type], key)
	}
	e.versions = append(e.versions, version{res: r, at: s.cfg.Now()})
	s.log = append(s.log, versionRef{key: key, n: len(e.versions) - 1})
}

// withID checks that r's JSON is a resource of r.Type whose id, if any, is
// r.ID, and returns the JSON with the id written in when it had none. The
// rest of the bytes are kept as given.
func withID(r compartment.Resource) ([]byte, error) {
	d, _ := searchparam.Lookup(r.Type, "_id")
	if d == nil || !isID(r.ID) {
		return nil, fmt.Errorf("memstore: bad type or ID: %w", compartment.ErrInvalid)
	}
	ex, err := searchparam.NewExtractor(d)
	if err != nil {
		return nil, err
	}
	id, found := "", false
	err = ex.Extract(r.JSON, func(_ int, v searchparam.Value) { id, found = v.Code, true })
	switch {
	case err != nil:
		return nil, fmt.Errorf("memstore: %w: %w", compartment.ErrInvalid, err)
	case found && id != r.ID:
		return nil, fmt.Errorf("memstore: JSON id differs from the resource ID: %w",
			compartment.ErrInvalid)
	case found:
		return append([]byte(nil), r.JSON...), nil
	}
	return insertID(r.JSON, r.ID), nil
}

// insertID writes "id" as the first member of the JSON object data, which
// has been validated.
func insertID(data []byte, id string) []byte {
	i := bytes.IndexByte(data, '{') + 1
	rest := bytes.TrimLeft(data[i:], " \t\r\n")
	member := `"id":"` + id + `"`
	if len(rest) == 0 || rest[0] != '}' {
		member += ","
	}
	out := make([]byte, 0, len(data)+len(member))
	out = append(out, data[:i]...)
	out = append(out, member...)
	return append(out, data[i:]...)
}

// isID reports whether s has the syntax of a FHIR resource ID.
func isID(s string) bool {
	_, id, ok := searchparam.ParseReference("Patient/" + s)
	return ok && id == s
}
