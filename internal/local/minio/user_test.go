package minio_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/passwordgen/passwordgen/internal/iampolicy"
	"github.com/passwordgen/passwordgen/internal/local/minio"
)

func TestS3StatementsAreWhatMinIOCanEnforce(t *testing.T) {
	put := iampolicy.Statement{Sid: "Put", Effect: "Allow", Action: []string{"s3:PutObject"}, Resource: []string{"arn:aws:s3:::b/p/*"}}
	list := iampolicy.Statement{Sid: "List", Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: []string{"arn:aws:s3:::b", "arn:aws:s3:::b/*"}}
	logs := iampolicy.Statement{Sid: "Logs", Effect: "Allow", Action: []string{"logs:PutLogEvents"}, Resource: []string{"arn:aws:logs:us-east-1:123456789012:log-group:g:*"}}
	mixed := iampolicy.Statement{Sid: "Mixed", Effect: "Allow", Action: []string{"s3:PutObject", "kms:Decrypt"}, Resource: []string{"arn:aws:s3:::b/*", "arn:aws:kms:us-east-1:123456789012:key/k"}}
	doc := func(s ...iampolicy.Statement) iampolicy.Document {
		return iampolicy.Document{Version: "2012-10-17", Statement: s}
	}
	for _, tt := range []struct {
		name       string
		in         iampolicy.Document
		wantS3     iampolicy.Document
		wantOthers []iampolicy.Statement
		err        string
	}{
		{name: "split", in: doc(put, logs, list), wantS3: doc(put, list), wantOthers: []iampolicy.Statement{logs}},
		{name: "S3 only", in: doc(put), wantS3: doc(put)},
		{name: "mixed statement", in: doc(put, mixed), err: "statement Mixed mixes S3 and other resources"},
		{name: "nothing for MinIO", in: doc(logs), err: "no S3 statement"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s3, others, err := minio.S3Statements(tt.in)
			switch {
			case tt.err != "":
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error %v, want one saying %q", err, tt.err)
				}
			case err != nil:
				t.Errorf("error %v", err)
			case !reflect.DeepEqual(s3, tt.wantS3) || !reflect.DeepEqual(others, tt.wantOthers):
				t.Errorf("got %+v and %+v, want %+v and %+v", s3, others, tt.wantS3, tt.wantOthers)
			}
		})
	}
}
