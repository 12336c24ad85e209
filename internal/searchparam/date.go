package searchparam

import "time"

// parseDate reads a FHIR date, dateTime or instant and returns the range
// [low, high) that its precision covers, in UTC: "2024" covers the year,
// "2024-03-05T10:00:00Z" one second, and ".123" fractions their last digit.
// Known gap: a value without a time zone (a date, or a search value such as
// "2024-03-05T10:00") is read as UTC, where FHIR leaves the zone to the
// server; around midnight this can move a date by a day.
func parseDate(s string) (low, high time.Time, ok bool) {
	year, ok := num(s, 0, 4)
	if !ok || year < 1 {
		return low, high, false
	}
	if len(s) == 4 {
		low = time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
		return low, low.AddDate(1, 0, 0), true
	}

	month, ok := numAfter(s, 4, '-', 2)
	if !ok || month < 1 || month > 12 {
		return low, high, false
	}
	if len(s) == 7 {
		low = time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC)
		return low, low.AddDate(0, 1, 0), true
	}

	day, ok := numAfter(s, 7, '-', 2)
	if !ok || day < 1 || day > daysIn(year, month) {
		return low, high, false
	}
	low = time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if len(s) == 10 {
		return low, low.AddDate(0, 0, 1), true
	}
	return parseTime(s, low)
}

// parseTime reads the "Thh:mm[:ss[.fff]][zone]" part of a dateTime.
func parseTime(s string, day time.Time) (low, high time.Time, ok bool) {
	hour, ok1 := numAfter(s, 10, 'T', 2)
	minute, ok2 := numAfter(s, 13, ':', 2)
	if !ok1 || !ok2 || hour > 23 || minute > 59 {
		return low, high, false
	}
	i, step := 16, time.Minute
	sec, nanos := 0, 0
	if sec, ok = numAfter(s, 16, ':', 2); ok {
		if sec > 60 {
			return low, high, false
		}
		i, step = 19, time.Second
		if i, step, nanos, ok = fraction(s, i, step); !ok {
			return low, high, false
		}
	}

	offset, ok := zone(s[i:])
	if !ok {
		return low, high, false
	}
	low = day.Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute +
		time.Duration(sec)*time.Second + time.Duration(nanos) - offset)
	return low, low.Add(step), true
}

// fraction reads ".d+" at s[i:], returning where it ends, the precision of
// its last digit and its value in nanoseconds.
func fraction(s string, i int, step time.Duration) (int, time.Duration, int, bool) {
	if i >= len(s) || s[i] != '.' {
		return i, step, 0, true
	}
	i++
	nanos, n := 0, 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n < 9 {
			nanos = nanos*10 + int(s[i]-'0')
			step /= 10
			n++
		}
	}
	if n == 0 {
		return i, step, 0, false
	}
	for k := n; k < 9; k++ {
		nanos *= 10
	}
	return i, step, nanos, true
}

// zone reads "", "Z" or "+hh:mm" / "-hh:mm" and returns the offset east of
// UTC.
func zone(s string) (time.Duration, bool) {
	switch {
	case s == "" || s == "Z":
		return 0, true
	case len(s) != 6 || s[0] != '+' && s[0] != '-':
		return 0, false
	}
	h, ok1 := num(s, 1, 2)
	m, ok2 := numAfter(s, 3, ':', 2)
	if !ok1 || !ok2 || h > 14 || m > 59 {
		return 0, false
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if s[0] == '-' {
		d = -d
	}
	return d, true
}

// num reads n decimal digits at s[i:].
func num(s string, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// numAfter reads the separator sep at s[i] and n digits after it.
func numAfter(s string, i int, sep byte, n int) (int, bool) {
	if i >= len(s) || s[i] != sep {
		return 0, false
	}
	return num(s, i+1, n)
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
