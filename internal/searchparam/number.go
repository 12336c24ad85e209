package searchparam

// scanScalar validates a number or a literal at pos.
func (s *scanner) scanScalar() error {
	_, err := s.scanNumberOrLiteral()
	return err
}

// scanNumberOrLiteral validates a number, true, false or null and returns
// its bytes.
func (s *scanner) scanNumberOrLiteral() ([]byte, error) {
	d, start := s.data, s.pos
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(d)-start >= len(lit) && string(d[start:start+len(lit)]) == lit {
			s.pos += len(lit)
			return d[start:s.pos], nil
		}
	}
	i := numberEnd(d, start)
	if i < 0 {
		return nil, s.syntax("invalid value")
	}
	s.pos = i
	return d[start:i], nil
}

// numberEnd returns the end of the RFC 8259 number at d[i:], or -1.
func numberEnd(d []byte, i int) int {
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		i = digits(d, i)
	default:
		return -1
	}
	if i < len(d) && d[i] == '.' {
		if j := digits(d, i+1); j > i+1 {
			i = j
		} else {
			return -1
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := digits(d, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

func digits(d []byte, i int) int {
	for i < len(d) && d[i] >= '0' && d[i] <= '9' {
		i++
	}
	return i
}
