package csvtable

import (
	"errors"
	"testing"
)

func canon(h string) string {
	switch c := Canon(h); c {
	case "id", "title", "talk_id":
		return c
	}
	return ""
}

func TestRead(t *testing.T) {
	tab, err := Read([]byte("ID, Title ,Ignored,Talk-ID\n1,First,x,t1\n\n , , ,\n2,\"Second, with comma\",,\n"), canon)
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 2 || !tab.Has("title") || tab.Has("ignored") {
		t.Fatalf("rows %d, has title %v, has ignored %v", len(tab.Rows), tab.Has("title"), tab.Has("ignored"))
	}
	r := tab.Rows[1]
	if r.Line != 5 || r.Get("title") != "Second, with comma" || r.Get("talk_id") != "" || r.Get("nope") != "" {
		t.Errorf("row 2: line %d title %q talk %q", r.Line, r.Get("title"), r.Get("talk_id"))
	}
	if got := tab.Missing("id", "url", "title"); len(got) != 1 || got[0] != "url" {
		t.Errorf("Missing = %v, want [url]", got)
	}
	tabs, err := Read([]byte("id\ttitle\n7\tTabbed, really\n"), canon)
	if err != nil || tabs.Rows[0].Get("title") != "Tabbed, really" {
		t.Errorf("tab-separated: %v %+v", err, tabs)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		data string
		line int
		msg  string
	}{
		{"", 1, "no header row"},
		{"id,ID\n1,2\n", 1, `column "id" appears twice`},
		{"id,title\n1,\"unterminated\n", 2, "CSV: extraneous or missing \" in quoted-field"},
		{"id,title\n1,a\n2\n", 3, "CSV: wrong number of fields"},
	}
	for _, tt := range tests {
		_, err := Read([]byte(tt.data), canon)
		var e *Error
		if !errors.As(err, &e) || e.Line != tt.line || e.Msg != tt.msg {
			t.Errorf("Read(%q) = %v, want line %d %q", tt.data, err, tt.line, tt.msg)
		}
	}
}
