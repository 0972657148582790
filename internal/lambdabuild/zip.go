package lambdabuild

import (
	"archive/zip"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"time"
)

// zipTime is the fixed modification time of the zip entry: the earliest the
// MS-DOS date fields can hold, so that the archive's bytes depend on the
// binary alone and a rebuild of unchanged source deploys nothing.
var zipTime = time.Date(1980, time.January, 1, 0, 0, 0, 0, time.UTC)

// writeZip writes the deployment package and returns its SHA-256. The entry
// carries Unix mode 0755 because provided.al2023 executes bootstrap directly,
// and Pulumi passes a ready-made zip through unchanged whereas archives it
// builds itself record no mode.
func writeZip(binary, path string) (digest string, err error) {
	in, err := os.Open(binary)
	if err != nil {
		return "", err
	}
	defer in.Close()

	out, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()

	sum := sha256.New()
	zw := zip.NewWriter(io.MultiWriter(out, sum))
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	header := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: zipTime}
	header.SetMode(0o755)
	entry, err := zw.CreateHeader(header)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(entry, in); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return hex.EncodeToString(sum.Sum(nil)), nil
}
