package stack

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/passwordgen/passwordgen/internal/local/minio"
)

// kmsKeyFile, in the data directory, holds MinIO's KMS key: MinIO encrypts
// the stored passwords (SSE-KMS) and its own configuration with it, so it
// is made once, with the data, and kept with it. A new key would leave
// everything stored before unreadable.
const kmsKeyFile = "kms-secret-key"

// kmsSecretKey returns the data directory's KMS key, kmsKeyName's, as MinIO
// takes it (<name>:<base64 of 32 bytes>), creating it when the directory
// holds no data yet.
func kmsSecretKey(dir string) (string, error) {
	path := filepath.Join(dir, kmsKeyFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		secret := strings.TrimSpace(string(b))
		key, ok := strings.CutPrefix(secret, kmsKeyName+":")
		if raw, err := base64.StdEncoding.DecodeString(key); !ok || err != nil || len(raw) != 32 {
			return "", fmt.Errorf("KMS key file %s is damaged: want %s:<base64 of 32 bytes>", path, kmsKeyName)
		}
		return secret, nil
	case !errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("read the KMS key: %w", err)
	}
	switch stored, err := minio.Stored(dir); {
	case err != nil:
		return "", err
	case stored:
		return "", fmt.Errorf("%s holds data encrypted with the KMS key that was in %s, which is missing: restore the file, or remove the directory to start empty", dir, path)
	}

	key := make([]byte, 32)
	rand.Read(key) // never fails: crypto/rand panics rather than return short
	secret := kmsKeyName + ":" + base64.StdEncoding.EncodeToString(key)
	// Written whole or not at all: a key cut short would be found damaged
	// at the next start, after objects were stored with it.
	tmp, err := os.CreateTemp(dir, "."+kmsKeyFile+"-*") // mode 0600
	if err != nil {
		return "", fmt.Errorf("create the KMS key: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.WriteString(secret + "\n"); err != nil {
		tmp.Close()
		return "", fmt.Errorf("create the KMS key: %w", err)
	}
	if err := errors.Join(tmp.Sync(), tmp.Close()); err != nil {
		return "", fmt.Errorf("create the KMS key: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("create the KMS key: %w", err)
	}
	return secret, nil
}
