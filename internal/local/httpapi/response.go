package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
)

// functionResponse is a payload-format-2.0 response.
type functionResponse struct {
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers"`
	Body            string            `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
}

// writeResult passes the function's answer on as API Gateway reads a 2.0
// response: an object with statusCode gives the status, headers and body;
// any other JSON is a 200 application/json body as it is. It returns the
// integration error for the access log, "" when there was none.
func writeResult(w http.ResponseWriter, res lambdaruntime.Result) string {
	if res.FunctionError != "" {
		var doc struct {
			ErrorType string `json:"errorType"`
		}
		_ = json.Unmarshal(res.Payload, &doc) // the type is only for the log
		answer(w, http.StatusInternalServerError, "Internal Server Error")
		return "the function failed: " + res.FunctionError + " " + doc.ErrorType
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(res.Payload, &fields) != nil || fields["statusCode"] == nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(res.Payload) // a caller that went away has nothing left to tell
		return ""
	}
	var resp functionResponse
	err := json.Unmarshal(res.Payload, &resp)
	body := []byte(resp.Body)
	if err == nil && resp.IsBase64Encoded {
		body, err = base64.StdEncoding.DecodeString(resp.Body)
	}
	if err != nil || resp.StatusCode < 100 || resp.StatusCode > 599 {
		answer(w, http.StatusInternalServerError, "Internal Server Error")
		return "the function's response is not a valid 2.0 response"
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = bytes.NewReader(body).WriteTo(w)
	return ""
}
