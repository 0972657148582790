package stack

import (
	"os"
	"strings"
	"testing"
)

// README's local quick start shows the commands the stack prints with its
// defaults, letter for letter, so that copying either works.
func TestREADMEShowsThePrintedCommands(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := "```sh\n" + strings.Join(commands("http://"+DefaultLambdaAddr, "http://"+DefaultS3Addr, DefaultBucket), "\n") + "\n```\n"
	if !strings.Contains(string(readme), block) {
		t.Errorf("README.md has no block with the printed commands:\n%s", block)
	}
}
