// Command broken does not compile, so that Build's error report can be
// checked; it is valid syntax so that gofmt still accepts the tree.
package main

var answer int = "forty-two"

func main() { _ = answer }
