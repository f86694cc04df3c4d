// Package csvtable reads the CSV files people export from spreadsheets: a
// header row that names the columns in any case and order, then one record a
// row, separated by commas, or by tabs when the header has tabs and no comma.
// The schedule and recording importers share it.
package csvtable

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Error is a problem at one line of the file.
type Error struct {
	Line int
	Msg  string
	Err  error // the CSV reader's error, when there is one
}

func (e *Error) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }
func (e *Error) Unwrap() error { return e.Err }

// Where is the place of the error as messages give it: "line 3".
func (e *Error) Where() string { return fmt.Sprintf("line %d", e.Line) }

// Table is a CSV file read with its header.
type Table struct {
	Header []string // as written
	col    map[string]int
	Rows   []Row // non-blank rows, in file order
}

// Row is one record and the line it starts on.
type Row struct {
	Line   int
	fields []string
	col    map[string]int
}

// Get returns the trimmed value of column c, or "" when the file has no such
// column or the row is short.
func (r Row) Get(c string) string {
	if i, ok := r.col[c]; ok && i < len(r.fields) {
		return strings.TrimSpace(r.fields[i])
	}
	return ""
}

// Read reads data. canon maps a header cell to the name of the column it
// fills, or "" to ignore the column. An empty file, a column named twice and
// malformed CSV are *Error values; Read returns no other error.
func Read(data []byte, canon func(string) string) (*Table, error) {
	first, _, _ := bytes.Cut(data, []byte{'\n'})
	cr := csv.NewReader(bytes.NewReader(data))
	if bytes.IndexByte(first, '\t') >= 0 && bytes.IndexByte(first, ',') < 0 {
		cr.Comma = '\t'
	}
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = 0 // every row as wide as the header
	readErr := func(err error) error {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return &Error{Line: pe.Line, Msg: "CSV: " + pe.Err.Error(), Err: err}
		}
		return &Error{Line: 1, Msg: "CSV: " + err.Error(), Err: err}
	}
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &Error{Line: 1, Msg: "no header row"}
	}
	if err != nil {
		return nil, readErr(err)
	}
	t := &Table{Header: header, col: map[string]int{}}
	for i, h := range header {
		c := canon(h)
		if c == "" {
			continue
		}
		if _, dup := t.col[c]; dup {
			return nil, &Error{Line: 1, Msg: fmt.Sprintf("column %q appears twice", c)}
		}
		t.col[c] = i
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, readErr(err)
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		t.Rows = append(t.Rows, Row{Line: line, fields: rec, col: t.col})
	}
}

// Has reports whether the header names column c.
func (t *Table) Has(c string) bool {
	_, ok := t.col[c]
	return ok
}

// Missing returns those of cols the header does not name.
func (t *Table) Missing(cols ...string) []string {
	var out []string
	for _, c := range cols {
		if !t.Has(c) {
			out = append(out, c)
		}
	}
	return out
}

// Canon is the usual header folding: case and surrounding space ignored,
// spaces and hyphens read as underscores.
func Canon(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(h)
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
