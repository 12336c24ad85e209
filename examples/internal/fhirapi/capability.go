package fhirapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// capability is the CapabilityStatement of this handler.
type capability struct {
	ResourceType   string           `json:"resourceType"`
	Status         string           `json:"status"`
	Date           string           `json:"date"`
	Kind           string           `json:"kind"`
	Software       map[string]any   `json:"software"`
	Implementation map[string]any   `json:"implementation"`
	FHIRVersion    string           `json:"fhirVersion"`
	Format         []string         `json:"format"`
	Rest           []capabilityRest `json:"rest"`
}

type capabilityRest struct {
	Mode        string               `json:"mode"`
	Security    any                  `json:"security,omitempty"`
	Resource    []capabilityResource `json:"resource"`
	Interaction []code               `json:"interaction"`
	SearchParam []capabilityParam    `json:"searchParam"`
}

type capabilityResource struct {
	Type              string            `json:"type"`
	Interaction       []code            `json:"interaction"`
	Versioning        string            `json:"versioning"`
	ReadHistory       bool              `json:"readHistory"`
	UpdateCreate      bool              `json:"updateCreate"`
	ConditionalCreate bool              `json:"conditionalCreate"`
	ConditionalUpdate bool              `json:"conditionalUpdate"`
	ConditionalDelete string            `json:"conditionalDelete"`
	SearchInclude     []string          `json:"searchInclude,omitempty"`
	SearchRevInclude  []string          `json:"searchRevInclude,omitempty"`
	SearchParam       []capabilityParam `json:"searchParam,omitempty"`
	Operation         []operation       `json:"operation,omitempty"`
}

type code struct {
	Code string `json:"code"`
}

type capabilityParam struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type operation struct {
	Name       string `json:"name"`
	Definition string `json:"definition"`
}

// typeInteractions are the interactions served on every resource type.
var typeInteractions = []code{{"read"}, {"vread"}, {"update"}, {"delete"},
	{"history-instance"}, {"history-type"}, {"create"}, {"search-type"}}

// capabilityStatement builds the CapabilityStatement from what the handler
// serves: every R4 resource type with the interactions above, the search
// parameters internal/searchparam evaluates (unsupported ones, such as
// composite parameters, are left out), the reference parameters as
// _include and _revinclude targets, $everything on Patient, and the
// SMART security element.
func capabilityStatement(cfg Config) ([]byte, error) {
	rest := capabilityRest{Mode: "server", Interaction: []code{{"transaction"}, {"batch"},
		{"search-system"}, {"history-system"}},
		SearchParam: []capabilityParam{{"_id", "token"}, {"_lastUpdated", "date"}}}
	if cfg.Transaction == nil {
		rest.Interaction = rest.Interaction[1:]
	}
	if cfg.Security != nil {
		rest.Security = cfg.Security
	}
	revincludes := revIncludes()
	for _, t := range searchparam.ResourceTypes() {
		rest.Resource = append(rest.Resource, resourceCapability(t, revincludes[t]))
	}
	cs := capability{ResourceType: "CapabilityStatement", Status: "active",
		Date: cfg.Now().UTC().Format("2006-01-02"), Kind: "instance",
		Software:       map[string]any{"name": "fhirguard demo server"},
		Implementation: map[string]any{"description": "fhirguard demo", "url": cfg.BaseURL},
		FHIRVersion:    "4.0.1", Format: []string{"json"}, Rest: []capabilityRest{rest}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(cs); err != nil {
		return nil, fmt.Errorf("fhirapi: encoding the CapabilityStatement: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// resourceCapability describes one resource type.
func resourceCapability(t string, revincludes []string) capabilityResource {
	rc := capabilityResource{Type: t, Interaction: typeInteractions, Versioning: "versioned",
		ReadHistory: true, UpdateCreate: true, ConditionalCreate: true,
		ConditionalUpdate: true, ConditionalDelete: "single",
		SearchInclude: []string{"*"}, SearchRevInclude: revincludes}
	for _, d := range searchparam.Defs(t) {
		if !d.Supported() {
			continue
		}
		rc.SearchParam = append(rc.SearchParam, capabilityParam{d.Name, d.Type.String()})
		if d.Type == searchparam.Reference {
			rc.SearchInclude = append(rc.SearchInclude, t+":"+d.Name)
		}
	}
	if t == "Patient" {
		rc.Operation = []operation{{"everything",
			"http://hl7.org/fhir/OperationDefinition/Patient-everything"}}
	}
	return rc
}

// revIncludes returns, per target type, the reference parameters that
// can point to it, as Source:param.
func revIncludes() map[string][]string {
	out := make(map[string][]string)
	for _, s := range searchparam.ResourceTypes() {
		for _, d := range searchparam.Defs(s) {
			if !d.Supported() || d.Type != searchparam.Reference {
				continue
			}
			for _, t := range d.Targets {
				if !slices.Contains(out[t], s+":"+d.Name) {
					out[t] = append(out[t], s+":"+d.Name)
				}
			}
		}
	}
	return out
}
