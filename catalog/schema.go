package catalog

import _ "embed"

// Schema is catalog.schema.json, the JSON Schema (draft 2020-12) of the
// catalog document (Document) and the contract websites read it by. Tests
// validate every document written against it (catalogtest.CheckDocument).
//
//go:embed catalog.schema.json
var Schema []byte
