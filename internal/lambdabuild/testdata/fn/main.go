// Command fn is the smallest main package Build can compile: it proves the
// binary runs by printing a fixed line.
package main

import "fmt"

func main() {
	fmt.Println("lambdabuild test binary")
}
