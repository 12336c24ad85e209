package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/fhirguard/fhirguard/compartment"
)

// maxIterate bounds the rounds of _include and _revinclude, :iterate
// included.
const maxIterate = 4

// includer collects the included resources of one page, each once.
type includer struct {
	ctx      context.Context
	db       *txn
	seen     map[string]bool
	out      []compartment.Resource
	frontier []row
}

// includes returns the resources that the matches bring in through q's
// _include and _revinclude; those with :iterate apply to the included
// resources too, for up to maxIterate rounds in all.
func includes(ctx context.Context, db *txn, q compartment.Query, matches []row) (
	[]compartment.Resource, error) {
	if len(q.Include) == 0 && len(q.RevInclude) == 0 || len(matches) == 0 {
		return nil, nil
	}
	in := &includer{ctx: ctx, db: db, seen: make(map[string]bool)}
	for _, m := range matches {
		in.seen[m.res.Reference()] = true
	}
	sources := matches
	for round := 0; round < maxIterate && len(sources) > 0; round++ {
		in.frontier = nil
		if err := in.round(q, sources, round > 0); err != nil {
			return nil, err
		}
		sources = in.frontier
	}
	return in.out, nil
}

// round applies the includes (only those with :iterate when iterateOnly)
// to sources.
func (in *includer) round(q compartment.Query, sources []row, iterateOnly bool) error {
	for _, inc := range q.Include {
		if !iterateOnly || inc.Iterate {
			if err := in.add(forwardQuery(inc, sources)); err != nil {
				return err
			}
		}
	}
	for _, inc := range q.RevInclude {
		if !iterateOnly || inc.Iterate {
			if err := in.add(reverseQuery(inc, sources)); err != nil {
				return err
			}
		}
	}
	return nil
}

// add runs an include's statement and keeps each resource once.
func (in *includer) add(stmt cond) error {
	if stmt.sql == "" {
		return nil
	}
	rows, err := queryRows(in.ctx, in.db, stmt.sql, stmt.args...)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if key := r.res.Reference(); !in.seen[key] {
			in.seen[key] = true
			in.out = append(in.out, r.res)
			in.frontier = append(in.frontier, r)
		}
	}
	return nil
}

// forwardQuery selects the current resources that the sources of
// inc.SourceType reference, through a relative reference of inc.Param
// (any reference parameter for a wildcard), of inc.TargetType if set. It
// returns an empty statement when no source has the type.
func forwardQuery(inc compartment.Include, sources []row) cond {
	seqs := seqsOf(sources, inc.SourceType)
	if seqs == "" {
		return cond{}
	}
	refs := and(sqlCond("i.vseq IN (SELECT value FROM json_each(?))", seqs),
		sqlCond("i.kind = ? AND i.ref_base = ''", kindRef), paramOf(inc))
	return includeStmt(and(live, typeOf(inc.TargetType),
		cond{sql: "(v.type, v.id) IN (SELECT i.ref_type, i.ref_id FROM search_index i WHERE " +
			refs.sql + ")", args: refs.args}))
}

// reverseQuery selects the current resources of inc.SourceType whose
// inc.Param holds a relative reference to a source of inc.TargetType.
func reverseQuery(inc compartment.Include, sources []row) cond {
	seqs := seqsOf(sources, inc.TargetType)
	if seqs == "" {
		return cond{}
	}
	refs := and(sqlCond("i.kind = ? AND i.ref_base = ''", kindRef), paramOf(inc),
		sqlCond("(i.ref_type, i.ref_id) IN (SELECT t.type, t.id FROM version t "+
			"WHERE t.seq IN (SELECT value FROM json_each(?)))", seqs))
	return includeStmt(and(live, typeOf(inc.SourceType),
		cond{sql: "v.seq IN (SELECT i.vseq FROM search_index i WHERE " + refs.sql + ")",
			args: refs.args}))
}

// includeStmt is the statement that reads the resources meeting where.
func includeStmt(where cond) cond {
	return cond{sql: "SELECT v.seq, v.type, v.id, v.vid, v.json FROM version v WHERE " +
		where.sql + " ORDER BY v.seq", args: where.args}
}

// seqsOf returns, as a JSON array, the sequence numbers of the rows of
// type typ (any type when typ is empty), or "" when there are none. The
// array is text: SQLite would read a BLOB as its binary JSON.
func seqsOf(rows []row, typ string) string {
	var seqs []int64
	for _, r := range rows {
		if typ == "" || r.res.Type == typ {
			seqs = append(seqs, r.seq)
		}
	}
	if seqs == nil {
		return ""
	}
	b, _ := json.Marshal(seqs) // integers always marshal
	return string(b)
}

// paramOf restricts index rows to the include's parameter, unless it is a
// wildcard.
func paramOf(inc compartment.Include) cond {
	if inc.Wildcard {
		return condTrue
	}
	return sqlCond("i.param = ?", inc.Param)
}

// typeOf restricts resources to one type, or to none when typ is empty.
func typeOf(typ string) cond {
	if typ == "" {
		return condTrue
	}
	return sqlCond("v.type = ?", typ)
}
