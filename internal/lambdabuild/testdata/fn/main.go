// Command fn is the smallest main package Build can compile that, like every
// bootstrap, imports a package of another module, so that a build from an
// empty module cache has something to fetch. It proves the binary runs by
// printing a fixed line.
package main

import (
	"fmt"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

func main() {
	fmt.Println("lambdabuild test binary")
	if lambdacontext.FunctionName != "" {
		fmt.Println("running as", lambdacontext.FunctionName)
	}
}
