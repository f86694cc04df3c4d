package exif

import (
	"encoding/binary"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
)

// packet wraps rdf:Description content in an XMP packet.
func packet(descriptions ...string) string {
	return `<?xpacket begin="` + "\ufeff" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		strings.Join(descriptions, "\n") + `</rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>`
}

func TestReadXMP(t *testing.T) {
	tests := []struct {
		name      string
		packet    string
		want      xmpData
		wantWarns int
	}{
		{
			name: "attributes",
			packet: packet(`<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
				xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
				xmlns:aux="http://ns.adobe.com/exif/1.0/aux/"
				xmp:Rating="4" exif:DateTimeOriginal="2024-07-13T10:15:30Z" photoshop:DateCreated="2024-07-13"
				aux:SerialNumber=" 0042 " exif:GPSLatitude="53,20.99N"/>`),
			want: xmpData{rating: 4, hasRating: true, dateTimeOriginal: "2024-07-13T10:15:30Z",
				dateCreated: "2024-07-13", auxSerial: "0042", hasGPS: true},
		},
		{
			name: "elements under other prefixes, several descriptions",
			packet: packet(
				`<rdf:Description rdf:about="" xmlns:xap="http://ns.adobe.com/xap/1.0/"><xap:Rating>3.0</xap:Rating></rdf:Description>`,
				`<rdf:Description rdf:about="" xmlns:d="http://purl.org/dc/elements/1.1/">
				  <d:subject><rdf:Bag><rdf:li>b</rdf:li><rdf:li> a </rdf:li><rdf:li></rdf:li></rdf:Bag></d:subject>
				  <d:creator><rdf:Seq><rdf:li>Ann</rdf:li><rdf:li>Bob</rdf:li></rdf:Seq></d:creator>
				  <d:rights><rdf:Alt><rdf:li xml:lang="fr-FR">Tous droits</rdf:li><rdf:li xml:lang="x-default">All rights</rdf:li></rdf:Alt></d:rights>
				</rdf:Description>`,
				`<rdf:Description rdf:about="" xmlns:ext="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" xmlns:exifEX="http://cipa.jp/exif/1.0/">
				  <ext:PersonInImage><rdf:Bag><rdf:li>Ada</rdf:li><rdf:li rdf:value="Grace"/></rdf:Bag></ext:PersonInImage>
				  <exifEX:BodySerialNumber>B-1</exifEX:BodySerialNumber>
				</rdf:Description>`),
			want: xmpData{rating: 3, hasRating: true, subjects: []string{"b", "a"}, creators: []string{"Ann", "Bob"},
				rights: "All rights", people: []string{"Ada", "Grace"}, bodySerial: "B-1"},
		},
		{
			name: "a look-alike namespace is not the real one",
			packet: packet(`<rdf:Description rdf:about="" xmlns:dc="http://example.com/dc/">
				<dc:subject><rdf:Bag><rdf:li>x</rdf:li></rdf:Bag></dc:subject></rdf:Description>`),
			want: xmpData{},
		},
		{
			name: "structures and resources",
			packet: packet(`<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
				xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">
				<Iptc4xmpExt:PersonInImage rdf:parseType="Resource"><dc:title>nested</dc:title></Iptc4xmpExt:PersonInImage>
				<dc:source rdf:resource="http://example.com/"/>
				<dc:subject><rdf:Bag><rdf:li><rdf:Description><dc:title>deep</dc:title></rdf:Description></rdf:li><rdf:li>flat</rdf:li></rdf:Bag></dc:subject>
				</rdf:Description>`),
			want: xmpData{subjects: []string{"flat"}},
		},
		{
			name:      "rejected, and a rating that is no number",
			packet:    packet(`<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="-1"/>`, `<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="five"/>`),
			want:      xmpData{rating: -1, hasRating: true},
			wantWarns: 0,
		},
		{
			name:      "not a number",
			packet:    packet(`<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="NaN"/>`),
			want:      xmpData{},
			wantWarns: 1,
		},
		{
			name: "malformed after the first description keeps what was read",
			packet: `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
				<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="2"/>
				<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag><rdf:li>a</rdf:li><<<`,
			want:      xmpData{rating: 2, hasRating: true, subjects: []string{"a"}},
			wantWarns: 1,
		},
		{
			name:   "NUL padding",
			packet: packet(`<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="1"/>`) + "\x00\x00\x00",
			want:   xmpData{rating: 1, hasRating: true},
		},
		{
			name:   "Latin-1 declared",
			packet: `<?xml version="1.0" encoding="ISO-8859-1"?>` + packet(`<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag><rdf:li>caf`+"\xe9"+`</rdf:li></rdf:Bag></dc:subject></rdf:Description>`),
			want:   xmpData{subjects: []string{"café"}},
		},
		{
			name:      "too deep",
			packet:    strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100),
			want:      xmpData{},
			wantWarns: 1,
		},
		{name: "empty", packet: "", want: xmpData{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &reader{}
			got := r.readXMP([]byte(tt.packet))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("readXMP =\n%+v\nwant\n%+v", got, tt.want)
			}
			if len(r.warnings) != tt.wantWarns {
				t.Errorf("warnings = %q, want %d", r.warnings, tt.wantWarns)
			}
		})
	}
}

func TestReadXMPUTF16(t *testing.T) {
	p := packet(`<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag><rdf:li>Zoë</rdf:li></rdf:Bag></dc:subject></rdf:Description>`)
	u := utf16.Encode([]rune(p))
	for _, bo := range []binary.ByteOrder{binary.BigEndian, binary.LittleEndian} {
		b := make([]byte, 2*len(u))
		for i, c := range u {
			bo.PutUint16(b[2*i:], c)
		}
		r := &reader{}
		got := r.readXMP(b)
		if want := []string{"Zoë"}; !reflect.DeepEqual(got.subjects, want) || len(r.warnings) > 0 {
			t.Errorf("%v: subjects %q, warnings %q; want %q", bo, got.subjects, r.warnings, want)
		}
	}
}
