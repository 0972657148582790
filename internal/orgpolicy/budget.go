package orgpolicy

import (
	"fmt"

	"github.com/passwordgen/passwordgen/internal/forbidden"
)

// The budget keeps every request's verdict affordable inside the smallest
// function (128 MB, which Lambda gives about 1/14 of a vCPU: a full one
// comes at 1,769 MB). The figures behind it are in BenchmarkCount: for
// maxRepeat 2, a 20-word deny-list and every class required, counting at
// length 32 takes about 3 million word operations and 10 ms cold on a
// server core, length 128 about 39 million.
const (
	// workBudget bounds one count, in the word operations counter.work
	// estimates (1 to 3 ns each on a server core): about 100 ms there, a
	// second or so in a 128 MB function, once per distinct request per
	// warm instance. It admits the benchmark policy up to length 128.
	workBudget = 50e6
	// memoryBudget bounds the rows of one count; the benchmark policy
	// takes 1.6 MB at length 128.
	memoryBudget = 16 << 20
	// maxVectors bounds the class vectors before anything is allocated;
	// the work budget refuses far fewer.
	maxVectors = 1 << 16
	// maxStates bounds the patterns' automaton over every printable
	// character: 4,096 states of 94 transitions take 1.5 MB.
	maxStates = 4096
	// cacheBytes bounds each cache (automata; verdicts, which hold the
	// automaton they check with): with the function's code and the S3
	// client, well inside 128 MB.
	cacheBytes = 16 << 20
	// minShare is the least fraction of uniform candidates that may meet
	// the rules: below it a password takes over 1,000 candidates on
	// average.
	minShare = 1e-3
)

// vectors returns the number of class vectors the counter needs, or
// maxVectors+1 when there would be more.
func vectors(mins []int, minClasses int) int {
	n := 1
	for _, m := range mins {
		if minClasses > 0 {
			m = max(m, 1)
		}
		if n *= m + 1; n > maxVectors {
			return maxVectors + 1
		}
	}
	return n
}

// counter builds the counter for a request's rules up to length, and
// refuses it when counting would exceed the budget.
func (c *Compiled) counter(d *forbidden.DFA, length int, sh shape) (*counter, error) {
	mins := make([]int, len(sh.classes))
	for i, cl := range sh.classes {
		mins[i] = cl.Min
	}
	if vectors(mins, sh.minClasses) > maxVectors {
		return nil, overBudget(length, 0)
	}
	repeat := c.policy.MaxRepeat
	if repeat >= length {
		repeat = 0 // cannot bind, and would only add states
	}
	cnt := newCounter(d, mins, sh.minClasses, repeat)
	if !cnt.affordable(length) {
		// The longest affordable length, if the minimums fit in it.
		longest := 0
		lo := 0
		for _, m := range mins {
			lo += m
		}
		for hi := length - 1; lo <= hi; {
			mid := (lo + hi) / 2
			if cnt.affordable(mid) {
				longest, lo = mid, mid+1
			} else {
				hi = mid - 1
			}
		}
		return nil, overBudget(length, longest)
	}
	return cnt, nil
}

func (cnt *counter) affordable(length int) bool {
	return cnt.work(length) <= workBudget && cnt.memory(length) <= memoryBudget
}

// overBudget explains a refusal for cost; longest is the longest length
// within budget, 0 when the minimums alone are too many.
func overBudget(length, longest int) *Error {
	advice := "lower the min_* fields"
	if longest > 0 {
		advice = fmt.Sprintf("use length ≤ %d, or lower the min_* fields", longest)
	}
	return &Error{Rule: "policy", longest: longest, Message: fmt.Sprintf("counting the passwords of length %d these rules allow would exceed this function's budget (%.0e word operations, %d MB): %s", length, workBudget, memoryBudget>>20, advice)}
}
