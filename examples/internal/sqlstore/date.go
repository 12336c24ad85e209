package sqlstore

// dateCond compares a value's range [i.low, i.high) with the range
// [low, high) of a search date under its prefix, with FHIR R4's range
// semantics as internal/searchparam applies them: eq when the search range
// contains the value, gt when the value extends after it, sa when it
// starts after it, and so on; a NULL bound is open (infinite); ap widens
// the search range by a tenth of its length on each side and asks for an
// overlap.
func dateCond(s string) (cond, error) {
	p, rest := cutPrefix(s)
	low, high, err := parseDate(rest)
	if err != nil {
		return cond{}, err
	}
	lo, hi := encodeTime(low), encodeTime(high)
	contains := sqlCond("i.low IS NOT NULL AND i.high IS NOT NULL AND i.low >= ? AND i.high <= ?",
		lo, hi)
	var c cond
	switch p {
	case "ne":
		c = sqlCond("i.low IS NULL OR i.high IS NULL OR i.low < ? OR i.high > ?", lo, hi)
	case "gt":
		c = sqlCond("i.high IS NULL OR i.high > ?", hi)
	case "lt":
		c = sqlCond("i.low IS NULL OR i.low < ?", lo)
	case "ge":
		c = or(sqlCond("i.high IS NULL OR i.high > ?", hi), contains)
	case "le":
		c = or(sqlCond("i.low IS NULL OR i.low < ?", lo), contains)
	case "sa":
		c = sqlCond("i.low IS NOT NULL AND i.low >= ?", hi)
	case "eb":
		c = sqlCond("i.high IS NOT NULL AND i.high <= ?", lo)
	case "ap":
		margin := high.Sub(low) / 10
		c = sqlCond("(i.low IS NULL OR i.low < ?) AND (i.high IS NULL OR i.high > ?)",
			encodeTime(high.Add(margin)), encodeTime(low.Add(-margin)))
	default:
		c = contains
	}
	return and(sqlCond("i.kind = ?", kindDate), c), nil
}
