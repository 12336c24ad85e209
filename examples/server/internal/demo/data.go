package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/examples/internal/sqlstore"
	"github.com/fhirguard/fhirguard/examples/internal/synth"
)

// maxPickerPatients bounds the patients offered on the consent page.
const maxPickerPatients = 50

// loadData fills the store: with the files of DataPath, or, when there
// are none and the database is empty, with the synthetic data set. A
// resource the store refuses (invalid JSON, an unknown type) is skipped
// and counted.
func loadData(ctx context.Context, cfg *Config, store *sqlstore.Store) error {
	rs, err := dataSet(ctx, cfg, store)
	if err != nil {
		return err
	}
	loaded, skipped := 0, map[string]int{}
	err = store.Transaction(ctx, func(ctx context.Context) error {
		for _, r := range rs {
			if _, err := store.Update(ctx, r); err != nil {
				skipped[r.Type]++
				continue
			}
			loaded++
		}
		return nil
	})
	cfg.Logger.Info("data loaded", slog.Int("resources", loaded), slog.Any("skipped", skipped))
	return err
}

// dataSet returns the resources to load: DataPath's, the synthetic ones
// for an empty database, or none.
func dataSet(ctx context.Context, cfg *Config, store *sqlstore.Store) (
	[]compartment.Resource, error) {
	if cfg.DataPath != "" {
		return loadFiles(cfg.DataPath)
	}
	empty, err := isEmpty(ctx, store)
	if err != nil || !empty {
		return nil, err
	}
	return synth.Generate(synth.Config{Patients: cfg.Patients})
}

// isEmpty reports whether the store holds no Patient.
func isEmpty(ctx context.Context, store *sqlstore.Store) (bool, error) {
	page, err := store.Search(ctx, compartment.Query{Type: "Patient", Count: 1})
	return len(page.Resources) == 0, err
}

// patients lists the first patients of the store, with their names, for
// the consent page's picker.
func patients(ctx context.Context, store *sqlstore.Store) ([]synth.Patient, error) {
	page, err := store.Search(ctx, compartment.Query{Type: "Patient", Count: maxPickerPatients,
		Sort: []compartment.SortKey{{Param: "_id"}}})
	if err != nil {
		return nil, err
	}
	if len(page.Resources) == 0 {
		return nil, fmt.Errorf("demo: the data holds no Patient to launch with")
	}
	out := make([]synth.Patient, 0, len(page.Resources))
	for _, r := range page.Resources {
		out = append(out, synth.Patient{ID: r.ID, Name: displayName(r.JSON)})
	}
	return out, nil
}

// displayName returns a Patient's first name as given and family, or
// its text.
func displayName(data []byte) string {
	var p struct {
		Name []struct {
			Text   string   `json:"text"`
			Family string   `json:"family"`
			Given  []string `json:"given"`
		} `json:"name"`
	}
	if json.Unmarshal(data, &p) != nil || len(p.Name) == 0 {
		return ""
	}
	n := p.Name[0]
	if n.Text != "" {
		return n.Text
	}
	return strings.TrimSpace(strings.Join(append(n.Given, n.Family), " "))
}
