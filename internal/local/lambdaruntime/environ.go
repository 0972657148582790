package lambdaruntime

import (
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"strconv"
	"time"
)

// environ is a process's whole environment: what Lambda sets in
// provided.al2023, then the function's own variables, then the Runtime API
// address, which nothing may override.
func (f *Function) environ(runtimeAPI string) []string {
	c := f.cfg
	env := []string{
		"PATH=/usr/local/bin:/usr/bin/:/bin:/opt/bin",
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"LAMBDA_TASK_ROOT=" + filepath.Dir(c.Binary),
		"_HANDLER=" + c.Handler,
		"AWS_REGION=" + c.Region,
		"AWS_DEFAULT_REGION=" + c.Region,
		"AWS_LAMBDA_FUNCTION_NAME=" + c.FunctionName,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(c.MemoryMB),
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + c.FunctionName,
		"AWS_LAMBDA_LOG_STREAM_NAME=" + logStreamName(time.Now()),
		// The deployed function logs in Lambda's JSON format, which
		// aws-lambda-go's lambdacontext logger reads from these two.
		"AWS_LAMBDA_LOG_FORMAT=JSON",
		"AWS_LAMBDA_LOG_LEVEL=INFO",
	}
	env = append(env, c.Env...)
	return append(env, "AWS_LAMBDA_RUNTIME_API="+runtimeAPI)
}

// logStreamName names one execution environment's stream as Lambda does.
func logStreamName(now time.Time) string {
	var id [16]byte
	_, _ = rand.Read(id[:])
	return now.UTC().Format("2006/01/02") + "/[$LATEST]" + hex.EncodeToString(id[:])
}
