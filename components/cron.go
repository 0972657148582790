package components

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// cronField is one field of an EventBridge Scheduler cron expression, as
// Scheduler's cron reference gives it: the values it takes and the
// wildcards it allows besides , - * and /.
type cronField struct {
	name     string
	min, max int
	// names spell the values from min on: JAN-DEC, SUN-SAT.
	names []string
	// special is "?LW" for day-of-month and "?L#" for day-of-week.
	special string
}

// cronFields are the six fields in the order Scheduler reads them.
var cronFields = [6]cronField{
	{name: "minutes", min: 0, max: 59},
	{name: "hours", min: 0, max: 23},
	{name: "day-of-month", min: 1, max: 31, special: "?LW"},
	{name: "month", min: 1, max: 12, names: strings.Fields("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC")},
	{name: "day-of-week", min: 1, max: 7, names: strings.Fields("SUN MON TUE WED THU FRI SAT"), special: "?L#"},
	{name: "year", min: 1970, max: 2199},
}

var (
	// weekdayOfMonth is nW, the weekday nearest day n; LW, the last weekday.
	weekdayOfMonth = regexp.MustCompile(`^(?:LW|([0-9]{1,2})W)$`)
	// lastOrNth is dL, the last day d of the month, or d#n, its n-th.
	lastOrNth = regexp.MustCompile(`^([0-9A-Za-z]{1,3})(?:L|#([1-5]))$`)
)

// check checks field f's expression s and returns the values it names, a
// value true for each; ?, L, W and # name no fixed value, so they are only
// checked.
func (f cronField) check(s string) ([]bool, error) {
	on := make([]bool, f.max+1)
	items := strings.Split(s, ",")
	for _, item := range items {
		if err := f.item(item, len(items), on); err != nil {
			return nil, fmt.Errorf("%s field %q: %w", f.name, s, err)
		}
	}
	return on, nil
}

// item checks one comma-separated item of a field of n items and marks
// the values it names.
func (f cronField) item(item string, n int, on []bool) error {
	switch {
	case item == "?" && strings.Contains(f.special, "?"):
		if n > 1 {
			return fmt.Errorf("? stands alone")
		}
		return nil
	case item == "L" && strings.Contains(f.special, "L"):
		return nil
	case strings.Contains(f.special, "W") && weekdayOfMonth.MatchString(item):
		if m := weekdayOfMonth.FindStringSubmatch(item); m[1] != "" {
			_, err := f.value(m[1])
			return err
		}
		return nil
	case strings.Contains(f.special, "#") && lastOrNth.MatchString(item):
		m := lastOrNth.FindStringSubmatch(item)
		if m[2] != "" && n > 1 {
			return fmt.Errorf("an item with # stands alone")
		}
		_, err := f.value(m[1])
		return err
	}
	base, step, stepped := strings.Cut(item, "/")
	by := 1
	if stepped {
		var err error
		if by, err = strconv.Atoi(step); err != nil || by < 1 || by > f.max-f.min+1 {
			return fmt.Errorf("increment %q: use a whole number from 1 to %d", step, f.max-f.min+1)
		}
	}
	from, to := f.min, f.max
	if base != "*" {
		lo, hi, ranged := strings.Cut(base, "-")
		var err error
		if from, err = f.value(lo); err != nil {
			return err
		}
		to = from
		switch {
		case ranged:
			if to, err = f.value(hi); err != nil {
				return err
			}
		case stepped:
			// n/step: from n to the end of the range.
			to = f.max
		}
	}
	// A range may wrap around its end, as FRI-MON does.
	for i, v := 0, from; ; i++ {
		if i%by == 0 {
			on[v] = true
		}
		if v == to {
			return nil
		}
		if v++; v > f.max {
			v = f.min
		}
	}
}

// value reads one value of the field, a number or, for months and
// weekdays, its three-letter name.
func (f cronField) value(s string) (int, error) {
	if i := slices.Index(f.names, strings.ToUpper(s)); i >= 0 {
		return f.min + i, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < f.min || v > f.max {
		if f.names != nil {
			return 0, fmt.Errorf("%q: use %d to %d or %s to %s", s, f.min, f.max, f.names[0], f.names[len(f.names)-1])
		}
		return 0, fmt.Errorf("%q: use %d to %d", s, f.min, f.max)
	}
	return v, nil
}

// shortestGap is the fewest minutes between two runs that the minutes of
// a cron expression allow within an hour or across its end (60 with one
// minute an hour), whatever the other fields: the hours may be
// consecutive.
func shortestGap(minutes []bool) int {
	var at []int
	for m, on := range minutes {
		if on {
			at = append(at, m)
		}
	}
	gap := 60
	for i, m := range at {
		next := at[(i+1)%len(at)]
		if next <= m {
			next += 60
		}
		gap = min(gap, next-m)
	}
	return gap
}
