package throttle

import (
	"fmt"
	"time"
)

// Duration is a [time.Duration] written in justification files as a Go
// duration string, such as "15m" or "72h". The zero value is no duration.
type Duration time.Duration

// String returns the duration as a Go duration string, such as "15m0s".
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText returns the duration as a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses a Go duration string such as "15m". A bare number,
// which would leave the unit to a guess, is an error.
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := time.ParseDuration(string(text))
	if err != nil {
		return fmt.Errorf("throttle: duration %q: want a Go duration such as \"15m\" or \"72h\"",
			text)
	}
	*d = Duration(v)
	return nil
}
