package catalog

import (
	"strings"
	"testing"
)

func TestCheckURL(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"https://video.example/watch?v=1", true},
		{"http://10.0.0.5:8080/a.mp4", true},
		{"HTTPS://Video.Example/x", true},
		{"https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=3s", true},
		{"", false},
		{"javascript:alert(document.cookie)", false},
		{"JavaScript:alert(1)", false},
		{" javascript:alert(1)", false},
		{"java\tscript:alert(1)", false},
		{"data:text/html,<script>alert(1)</script>", false},
		{"vbscript:msgbox", false},
		{"file:///etc/passwd", false},
		{"ftp://files.example/a.mp4", false},
		{"//video.example/x", false},
		{"/videos/1", false},
		{"video.example/x", false},
		{"https://", false},
		{"https:video.example", false},
		{"https://video.example/a b", false},
		{"https://video.example/\x00", false},
		{"https://video.example/" + strings.Repeat("a", 5000), false},
	}
	for _, tt := range tests {
		err := CheckURL("recording URL", tt.in)
		if got := err == nil; got != tt.ok {
			t.Errorf("CheckURL(%q) = %v, want ok %v", tt.in, err, tt.ok)
		}
		if err != nil && (ErrorKind(err) != Invalid || !strings.Contains(ErrorMessage(err), "recording URL")) {
			t.Errorf("CheckURL(%q) = %v, want an Invalid error naming the field", tt.in, err)
		}
	}
}
