package iampolicy

import "github.com/passwordgen/passwordgen/internal/awsarn"

// S3Endpoint names S3 in one region, as KMS sees it when S3 calls it on a
// caller's behalf (kms:ViaService is s3.<region>.<DNS suffix>).
type S3Endpoint struct {
	Region    string // e.g. eu-west-1
	DNSSuffix string // the partition's, e.g. amazonaws.com or amazonaws.com.cn
}

// forBucket limits a KMS grant to S3's use of the key for one bucket. An
// existing key named by encryption or decryptKeyArns may be shared with
// other applications and carry no denial of its own, unlike the key the
// stack creates; without these conditions a reader could decrypt any of
// their ciphertexts by calling KMS directly. With S3 Bucket Keys, which the
// bucket and the function always ask for, the encryption context S3 sends
// is the bucket's ARN.
func (e S3Endpoint) forBucket(bucketARN string) map[string]map[string][]string {
	return map[string]map[string][]string{
		"StringEquals": {
			"kms:ViaService":                   {e.service()},
			"kms:EncryptionContext:aws:s3:arn": {bucketARN},
		},
	}
}

func (e S3Endpoint) service() string { return "s3." + e.Region + "." + e.DNSSuffix }

// s3Endpoint checks an endpoint a KMS grant or denial is limited to.
func (in *inputs) s3Endpoint(e S3Endpoint) {
	if !awsarn.ValidRegion(e.Region) {
		in.fail("region %q: want a region name such as eu-west-1", e.Region)
	}
	if !dnsSuffix.MatchString(e.DNSSuffix) {
		in.fail("DNS suffix %q: want the partition's domain, such as amazonaws.com", e.DNSSuffix)
	}
}
