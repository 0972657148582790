package components

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passwordgen/passwordgen/internal/request"
)

// AuditArgs records who reads and writes the passwords: a CloudTrail trail
// of the S3 data events below the prefix and of the stack's functions'
// invocations, written to a dedicated audit bucket.
type AuditArgs struct {
	// RetentionDays is how long the audit bucket keeps a log file, 1 to
	// 3650; nil means 365. A pointer because 0 is a mistake to report.
	RetentionDays *int
}

const (
	// DefaultRotationSchedule runs the rotator once a day.
	DefaultRotationSchedule = "rate(1 day)"
	defaultAuditRetention   = 365
	// maxDays bounds expiry values and the audit retention at ten years,
	// as the functions bound the expiry values they accept.
	maxDays = request.MaxExpiryDays
	// maxExpiryValues keeps the lifecycle configuration and the
	// functions' environment small: each value is a rule, and up to five
	// bytes of PASSWORD_EXPIRY_DAYS.
	maxExpiryValues = 20
	// maxFlexibleWindow is how late Scheduler may start a run, spreading
	// the load when many schedules share a time.
	maxFlexibleWindow = 15
)

// rotationSchedule is a validated Scheduler expression.
type rotationSchedule struct {
	expression string
	// window is the flexible time window in minutes; 0 turns it off.
	window int
}

var (
	rateExpression = regexp.MustCompile(`^rate\(([1-9][0-9]{0,6}) (minutes?|hours?|days?)\)$`)
	cronExpression = regexp.MustCompile(`^cron\(([^()]*)\)$`)
	atExpression   = regexp.MustCompile(`^at\(([^()]*)\)$`)
	minutesPerUnit = map[string]int{"minute": 1, "hour": 60, "day": 24 * 60}
)

// parseSchedule checks an expression the way EventBridge Scheduler reads
// it: rate(<n> <unit>), with the unit singular for 1 and plural otherwise;
// cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>),
// each field in the values and wildcards Scheduler allows it, with ? in
// exactly one of the two day fields; or at(yyyy-mm-ddThh:mm:ss), a single
// run. A value Scheduler would refuse fails the preview, not the update.
//
// The flexible window is 15 minutes, or half a shorter interval (none
// under two minutes): a rate's, or the shortest gap between the minutes a
// cron expression runs at, so runs never bunch into the next interval.
func parseSchedule(expr string) (rotationSchedule, error) {
	s := rotationSchedule{expression: expr, window: maxFlexibleWindow}
	const forms = "use rate(<n> minutes|hours|days), cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>) or at(yyyy-mm-ddThh:mm:ss)"
	switch {
	case rateExpression.MatchString(expr):
		m := rateExpression.FindStringSubmatch(expr)
		n, _ := strconv.Atoi(m[1]) // seven digits at most
		unit := strings.TrimSuffix(m[2], "s")
		if plural := unit != m[2]; plural != (n != 1) {
			return s, fmt.Errorf("%q: write rate(1 %s) or rate(%d %ss), singular for 1 and plural otherwise", expr, unit, max(n, 2), unit)
		}
		s.window = min(maxFlexibleWindow, n*minutesPerUnit[unit]/2)
	case cronExpression.MatchString(expr):
		fields := strings.Fields(cronExpression.FindStringSubmatch(expr)[1])
		if len(fields) != 6 {
			return s, fmt.Errorf("%q: a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), not %d", expr, len(fields))
		}
		for i, f := range fields {
			on, err := cronFields[i].check(f)
			if err != nil {
				return s, fmt.Errorf("%q: %w", expr, err)
			}
			if i == 0 {
				s.window = min(maxFlexibleWindow, shortestGap(on)/2)
			}
		}
		if (fields[2] == "?") == (fields[4] == "?") {
			return s, fmt.Errorf("%q: put ? in exactly one of day-of-month and day-of-week, e.g. cron(0 3 * * ? *)", expr)
		}
	case atExpression.MatchString(expr):
		if _, err := time.Parse("2006-01-02T15:04:05", atExpression.FindStringSubmatch(expr)[1]); err != nil {
			return s, fmt.Errorf("%q: want at(yyyy-mm-ddThh:mm:ss), e.g. at(2030-01-01T03:00:00)", expr)
		}
	default:
		return s, fmt.Errorf("%q: %s", expr, forms)
	}
	return s, nil
}

// validateExpiryDays checks the values a request may choose for
// expires_in_days: each is a lifecycle rule on the bucket.
func validateExpiryDays(days []int, fail func(setting, format string, v ...any)) {
	if len(days) > maxExpiryValues {
		fail("expiryDays", "%d values: offer at most %d, each is a lifecycle rule and part of the functions' environment", len(days), maxExpiryValues)
	}
	for i, d := range days {
		key := fmt.Sprintf("expiryDays[%d]", i)
		switch {
		case d < 1 || d > maxDays:
			fail(key, "%d days: use 1 to %d", d, maxDays)
		case slices.Contains(days[:i], d):
			fail(key, "%d is listed twice", d)
		}
	}
}

// validateAudit checks a and applies its default; nil means no trail.
func validateAudit(a *AuditArgs, fail func(setting, format string, v ...any)) *auditSettings {
	if a == nil {
		return nil
	}
	s := &auditSettings{retentionDays: valueOr(a.RetentionDays, defaultAuditRetention)}
	if s.retentionDays < 1 || s.retentionDays > maxDays {
		fail("auditRetentionDays", "%d days: use 1 to %d", s.retentionDays, maxDays)
	}
	return s
}

// auditSettings are validated AuditArgs.
type auditSettings struct {
	retentionDays int
}

// trailNameRuns are runs of what a trail's name may not hold: CloudTrail
// allows letters, digits and '.', '_', '-', but never two of the latter in
// a row, so '-' stands for each whole run.
var trailNameRuns = regexp.MustCompile(`[^A-Za-z0-9]+`)

// maxTrailName is CloudTrail's limit on a trail's name.
const maxTrailName = 128

// trailName is the trail's fixed name, so its ARN is known before it
// exists, for the bucket policy's aws:SourceArn: project, stack and
// component, which make it unique in the account and region, with every
// run of other characters turned into one '-'. A name too long for
// CloudTrail is cut, with a hash of the whole to keep it unique.
func trailName(project, stack, component string) string {
	name := strings.Trim(trailNameRuns.ReplaceAllString(project+"-"+stack+"-"+component, "-"), "-")
	if len(name) <= maxTrailName {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return strings.TrimRight(name[:maxTrailName-9], "-") + "-" + hex.EncodeToString(sum[:4])
}
