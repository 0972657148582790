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
	var admin Client
	for _, c := range DefaultClients() {
		if c.Name == "admin" {
			admin = c
		}
	}
	for _, cmds := range [][]string{
		commands("http://"+DefaultLambdaAddr, "http://"+DefaultS3Addr, DefaultBucket),
		apiCommands("http://"+DefaultHTTPAddr, "http://"+DefaultIssuerAddr, admin),
		rotationCommands("http://"+DefaultLambdaAddr, "http://"+DefaultS3Addr, DefaultBucket),
	} {
		block := "```sh\n" + strings.Join(cmds, "\n") + "\n```\n"
		if !strings.Contains(string(readme), block) {
			t.Errorf("README.md has no block with the printed commands:\n%s", block)
		}
	}
}
