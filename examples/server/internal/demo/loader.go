package demo

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/examples/internal/fhirjson"
)

// maxLoadLine bounds one NDJSON line.
const maxLoadLine = 64 << 20

// loadFiles reads the FHIR resources of a file or of every .json and
// .ndjson file below a folder, in name order. A .json file holds a Bundle,
// whose entries' resources are taken, or a single resource; a .ndjson
// file holds one resource per line. References to a Bundle entry's
// fullUrl (such as urn:uuid:...) are rewritten to the resource's
// Type/id, as a transaction would. A resource without an id gets one.
func loadFiles(path string) ([]compartment.Resource, error) {
	files, err := dataFiles(path)
	if err != nil {
		return nil, err
	}
	var out []compartment.Resource
	for _, f := range files {
		rs, err := loadFile(f)
		if err != nil {
			return nil, fmt.Errorf("demo: loading %s: %w", f, err)
		}
		out = append(out, rs...)
	}
	return out, nil
}

// dataFiles lists the files to load.
func dataFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("demo: -data: %w", err)
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".json") ||
			strings.HasSuffix(p, ".ndjson")) {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("demo: -data: %w", err)
	}
	slices.Sort(files)
	return files, nil
}

// loadFile reads one file.
func loadFile(path string) ([]compartment.Resource, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(path, ".ndjson") {
		return ndjsonResources(data)
	}
	return jsonResources(data)
}

// ndjsonResources reads one resource per non-empty line.
func ndjsonResources(data []byte) ([]compartment.Resource, error) {
	var out []compartment.Resource
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, maxLoadLine)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		r, err := resourceOf(bytes.Clone(line))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

// jsonResources reads a Bundle's resources, or a single resource.
func jsonResources(data []byte) ([]compartment.Resource, error) {
	var b struct {
		ResourceType string `json:"resourceType"`
		Entry        []struct {
			FullURL  string          `json:"fullUrl"`
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, err
	}
	if b.ResourceType != "Bundle" {
		r, err := resourceOf(data)
		return []compartment.Resource{r}, err
	}
	out := make([]compartment.Resource, 0, len(b.Entry))
	var olds, news [][]byte
	for i, e := range b.Entry {
		r, err := resourceOf(e.Resource)
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		if e.FullURL != "" {
			olds = append(olds, fhirjson.Quote(e.FullURL))
			news = append(news, fhirjson.Quote(r.Reference()))
		}
		out = append(out, r)
	}
	for i := range out {
		for k := range olds {
			out[i].JSON = bytes.ReplaceAll(out[i].JSON, olds[k], news[k])
		}
	}
	return out, nil
}

// resourceOf reads a resource's type and id, giving it an id when it has
// none.
func resourceOf(data []byte) (compartment.Resource, error) {
	obj, err := fhirjson.Parse(data)
	if err != nil {
		return compartment.Resource{}, err
	}
	typ, ok := obj.String("resourceType")
	if !ok {
		return compartment.Resource{}, fmt.Errorf("a resource has no resourceType")
	}
	id, ok := obj.String("id")
	if !ok {
		id = randomHex(16)
		obj.SetString("id", id)
		data = obj.Encode()
	}
	return compartment.Resource{Type: typ, ID: id, JSON: data}, nil
}
