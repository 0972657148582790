package awsarn

import (
	"strings"
	"testing"
)

func TestValidRegion(t *testing.T) {
	for _, name := range []string{"us-east-1", "eu-west-3", "ap-southeast-2", "cn-north-1", "us-gov-west-1", "us-isob-east-1", "eusc-de-east-1", "il-central-1"} {
		if !ValidRegion(name) {
			t.Errorf("ValidRegion(%q) = false, want true", name)
		}
	}
	for _, name := range []string{"", "us-east", "useast1", "US-EAST-1", "u-east-1", "abcde-east-1", "us-east-1a", "us--east-1", "us-east-1 "} {
		if ValidRegion(name) {
			t.Errorf("ValidRegion(%q) = true, want false", name)
		}
	}
}

func TestValidPartitionAndAccount(t *testing.T) {
	for _, p := range []string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-f", "aws-eusc"} {
		if !ValidPartition(p) {
			t.Errorf("ValidPartition(%q) = false, want true", p)
		}
	}
	for _, p := range []string{"", "gcp", "aws-", "AWS", "aws_cn", "aws-cn-1"} {
		if ValidPartition(p) {
			t.Errorf("ValidPartition(%q) = true, want false", p)
		}
	}
	if !ValidAccount("123456789012") || ValidAccount("12345678901") || ValidAccount("1234567890123") || ValidAccount("12345678901a") {
		t.Error("ValidAccount accepts something other than exactly 12 digits")
	}
}

func TestParseKMSKey(t *testing.T) {
	valid := map[string]KMSKey{
		"arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab":            {"aws", "eu-west-1", "123456789012", "1234abcd-12ab-34cd-56ef-1234567890ab"},
		"arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab":            {"aws", "eu-west-1", "123456789012", "mrk-1234abcd12ab34cd56ef1234567890ab"},
		"arn:aws-cn:kms:cn-northwest-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab":    {"aws-cn", "cn-northwest-1", "123456789012", "1234abcd-12ab-34cd-56ef-1234567890ab"},
		"arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab": {"aws-us-gov", "us-gov-west-1", "123456789012", "1234abcd-12ab-34cd-56ef-1234567890ab"},
		"arn:aws-iso-b:kms:us-isob-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab": {"aws-iso-b", "us-isob-east-1", "123456789012", "1234abcd-12ab-34cd-56ef-1234567890ab"},
		"arn:aws-eusc:kms:eusc-de-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab":  {"aws-eusc", "eusc-de-east-1", "123456789012", "1234abcd-12ab-34cd-56ef-1234567890ab"},
	}
	for arn, want := range valid {
		got, err := ParseKMSKey(arn)
		if err != nil || got != want {
			t.Errorf("ParseKMSKey(%q) = %+v, %v; want %+v", arn, got, err, want)
		}
	}
	invalid := map[string]string{
		"arn:aws:kms:eu-west-1:123456789012:alias/passwords": "is an alias",
		"alias/passwords":                          "is an alias",
		"1234abcd-12ab-34cd-56ef-1234567890ab":     "not a KMS key ARN",
		"arn:aws:kms:eu-west-1:123456789012:key/*": "not a KMS key ARN",
		"arn:aws:kms:eu-west-1:12345678901:key/1234abcd-12ab-34cd-56ef-1234567890ab":  "not a KMS key ARN",
		"arn:gcp:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab": "not a KMS key ARN",
		"arn:aws:kms:eu-west-1:123456789012:key/1234ABCD-12AB-34CD-56EF-1234567890AB": "not a KMS key ARN",
		"arn:aws:iam::123456789012:role/x":                                            "not a KMS key ARN",
		"":                                                                            "not a KMS key ARN",
	}
	for arn, want := range invalid {
		_, err := ParseKMSKey(arn)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), KMSKeyForm) {
			t.Errorf("ParseKMSKey(%q) error = %v, want one containing %q and the accepted form", arn, err, want)
		}
	}
}
