package sqlstore

import "strings"

// cond is a SQL boolean expression with its bound arguments. Expressions
// on resources use the alias v (a row of version) and expressions on
// values the alias i (a row of search_index).
type cond struct {
	sql  string
	args []any
}

// The constant conditions. and and or fold them away.
var (
	condTrue  = cond{sql: "1"}
	condFalse = cond{sql: "0"}
)

// sqlCond returns the expression sql with its arguments.
func sqlCond(sql string, args ...any) cond { return cond{sql: sql, args: args} }

// and returns the conjunction of cs: true for none, false when one is
// false.
func and(cs ...cond) cond {
	return join(cs, " AND ", condTrue, condFalse)
}

// or returns the disjunction of cs: false for none, true when one is
// true.
func or(cs ...cond) cond {
	return join(cs, " OR ", condFalse, condTrue)
}

// join joins cs with op, leaving out the neutral constant and returning
// the absorbing one when it appears.
func join(cs []cond, op string, neutral, absorbing cond) cond {
	var parts []string
	var args []any
	for _, c := range cs {
		switch c.sql {
		case neutral.sql:
			continue
		case absorbing.sql:
			return absorbing
		}
		parts = append(parts, "("+c.sql+")")
		args = append(args, c.args...)
	}
	switch len(parts) {
	case 0:
		return neutral
	case 1:
		return cond{sql: parts[0], args: args}
	}
	return cond{sql: strings.Join(parts, op), args: args}
}

// hasValue returns the condition that a resource has an index row for
// param meeting rows: v.seq IN (SELECT ...), or NOT IN when negated.
func hasValue(param string, rows cond, negated bool) cond {
	op := "IN"
	if negated {
		op = "NOT IN"
	}
	where := "i.param = ?"
	if rows.sql != condTrue.sql {
		where += " AND (" + rows.sql + ")"
	}
	return cond{sql: "v.seq " + op + " (SELECT i.vseq FROM search_index i WHERE " + where + ")",
		args: append([]any{param}, rows.args...)}
}
