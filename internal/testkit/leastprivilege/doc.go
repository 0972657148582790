// Package leastprivilege proves in a real policy engine that the policies
// the stack deploys let each principal do its job and nothing more. It holds
// only tests: they take the documents from internal/iampolicy, the builders
// the PasswordGenerator component deploys, load them into MinIO as a user's
// policy and act with that user's keys. The function's policy is exercised
// by the real bootstrap binary, so "generation and storage work" means the
// deployed code works under it, not that some hand-made request does.
//
// MinIO decides only the S3 statements. It refuses a policy naming
// CloudWatch Logs or KMS resources, checks no KMS permission when it
// encrypts or decrypts, and applies bucket policies to anonymous requests
// only. The logs and KMS statements and the TLS-only bucket policy are
// therefore checked by their exact shape, and the tests record the MinIO
// behaviour that keeps them from being checked by the engine.
package leastprivilege
