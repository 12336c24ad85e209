package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// typeIndex extracts every supported search parameter of one resource
// type in one pass.
type typeIndex struct {
	ex    *searchparam.Extractor
	names []string // parameter names, by definition index
}

// indexes caches a typeIndex per resource type.
var indexes sync.Map // string -> *typeIndex

// indexFor returns the typeIndex of a resource type, or an error for a
// type R4 does not define.
func indexFor(typ string) (*typeIndex, error) {
	if ti, ok := indexes.Load(typ); ok {
		return ti.(*typeIndex), nil
	}
	var defs []*searchparam.Def
	var names []string
	for _, d := range searchparam.Defs(typ) {
		if d.Supported() {
			defs, names = append(defs, d), append(names, d.Name)
		}
	}
	if len(defs) == 0 {
		return nil, fmt.Errorf("sqlstore: unknown resource type: %w", compartment.ErrInvalid)
	}
	ex, err := searchparam.NewExtractor(defs...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: indexing %s: %w", typ, err)
	}
	ti, _ := indexes.LoadOrStore(typ, &typeIndex{ex: ex, names: names})
	return ti.(*typeIndex), nil
}

// indexRow is one row of search_index: one value of one parameter. Empty
// text columns and nil low, high and num mean the value has no such part.
type indexRow struct {
	param                                     string
	kind                                      searchparam.Kind
	sys, code, text, tsys, tcode              string
	ref, refBase, refType, refID, str, normal string
	low, high, num                            any
	unit                                      string
}

// appendArgs appends the row's columns, in the order of insertColumns.
func (r *indexRow) appendArgs(args []any, seq int64) []any {
	return append(args, seq, r.param, int(r.kind), r.sys, r.code, r.text, r.tsys, r.tcode,
		r.ref, r.refBase, r.refType, r.refID, r.str, r.normal, r.low, r.high, r.num, r.unit)
}

// kindElement is the kind of the index row that records a parameter
// whose element is in the resource without yielding a value (a Reference
// with only an identifier, null, {}): no value condition selects it, and
// it makes :missing=true false, as searchparam decides :missing.
const kindElement = 0

// rowsOf extracts the search values of a resource, and a kindElement row
// for each parameter with an element but no value. A resource whose JSON
// cannot be trusted (invalid, duplicated keys on a parameter's path, too
// deep, of another type) is refused with an error matching
// compartment.ErrInvalid.
func rowsOf(typ string, data []byte) ([]indexRow, error) {
	ti, err := indexFor(typ)
	if err != nil {
		return nil, err
	}
	var rows []indexRow
	valued := make([]bool, len(ti.names))
	present := make([]bool, len(ti.names))
	err = ti.ex.ExtractPresence(data, func(def int, v searchparam.Value) {
		rows = append(rows, rowOf(ti.names[def], v))
		valued[def] = true
	}, func(def int) { present[def] = true })
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w: %w", compartment.ErrInvalid, err)
	}
	for def, name := range ti.names {
		if present[def] && !valued[def] {
			rows = append(rows, indexRow{param: name, kind: kindElement})
		}
	}
	return rows, nil
}

// rowOf maps a value to its columns. Strings are copied out of the
// resource's bytes by the database driver when the row is written.
func rowOf(param string, v searchparam.Value) indexRow {
	r := indexRow{param: param, kind: v.Kind}
	switch v.Kind {
	case searchparam.KindCode, searchparam.KindIdentifierType:
		r.sys, r.code, r.text, r.tsys, r.tcode = v.System, v.Code, searchparam.Fold(v.Text),
			v.TypeSystem, v.TypeCode
	case searchparam.KindText:
		r.text = searchparam.Fold(v.Text)
	case searchparam.KindReference:
		r.ref = v.Ref
		if base, typ, id, ok := searchparam.ParseReferenceURL(v.Ref); ok {
			r.refBase, r.refType, r.refID = base, typ, id
		}
	case searchparam.KindString:
		r.str, r.normal = v.Str, searchparam.Fold(v.Str)
	case searchparam.KindURI:
		r.str = v.Str
	case searchparam.KindDate:
		r.low, r.high = encodeTime(v.Low), encodeTime(v.High)
	case searchparam.KindQuantity:
		r.sys, r.code, r.num, r.unit = v.System, v.Code, v.Num, v.Unit
	case searchparam.KindNumber:
		r.num = v.Num
	}
	return r
}

// insertColumns are the columns an index row fills.
const insertColumns = "vseq, param, kind, sys, code, text, tsys, tcode, ref, ref_base, " +
	"ref_type, ref_id, str, norm, low, high, num, unit"

// rowsPerInsert bounds the rows of one INSERT, below SQLite's limit on
// bound variables.
const rowsPerInsert = 256

// insertStmt returns the statement that inserts n index rows, prepared
// once per size in each transaction: preparing costs more than executing,
// and a load writes many resources in one transaction.
func (tx *txn) insertStmt(ctx context.Context, n int) (*sql.Stmt, error) {
	if st := tx.inserts[n]; st != nil {
		return st, nil
	}
	text := "INSERT INTO search_index (" + insertColumns + ") VALUES " +
		strings.Repeat("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?),", n-1) +
		"(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
	st, err := tx.PrepareContext(ctx, text)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: preparing the index insert: %w", err)
	}
	tx.inserts[n] = st
	return st, nil
}

// insertRows writes the index rows of version seq.
func (tx *txn) insertRows(ctx context.Context, seq int64, rows []indexRow) error {
	for len(rows) > 0 {
		n := min(len(rows), rowsPerInsert)
		st, err := tx.insertStmt(ctx, n)
		if err != nil {
			return err
		}
		args := make([]any, 0, n*18)
		for i := range rows[:n] {
			args = rows[i].appendArgs(args, seq)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("sqlstore: writing the search index: %w", err)
		}
		rows = rows[n:]
	}
	return nil
}
