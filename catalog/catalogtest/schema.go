package catalogtest

import (
	"bytes"
	"encoding/json"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/confmedia/confmedia/catalog"
)

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(catalog.Schema))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("catalog.schema.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("catalog.schema.json")
})

// ValidateDocument checks data, a catalog document as JSON, against
// catalog.schema.json (catalog.Schema), formats (date-time, date) included.
func ValidateDocument(data []byte) error {
	sch, err := compiled()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return sch.Validate(v)
}

// CheckDocument fails tb unless data is a catalog document that
// catalog.schema.json accepts and that decodes into catalog.Document with
// no field the Go type lacks.
func CheckDocument(tb testing.TB, data []byte) {
	tb.Helper()
	if err := ValidateDocument(data); err != nil {
		tb.Errorf("catalog document does not follow catalog.schema.json: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var d catalog.Document
	if err := dec.Decode(&d); err != nil {
		tb.Errorf("catalog document does not decode: %v", err)
	}
}
