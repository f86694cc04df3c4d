package exif

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
)

// XMP namespaces, matched by URI whatever prefix a file binds them to.
const (
	nsRDF        = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsXML        = "http://www.w3.org/XML/1998/namespace"
	nsDC         = "http://purl.org/dc/elements/1.1/"
	nsXMP        = "http://ns.adobe.com/xap/1.0/"
	nsEXIF       = "http://ns.adobe.com/exif/1.0/"
	nsEXIFEX     = "http://cipa.jp/exif/1.0/"
	nsAux        = "http://ns.adobe.com/exif/1.0/aux/"
	nsPhotoshop  = "http://ns.adobe.com/photoshop/1.0/"
	nsIptc4xmpEx = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
)

// Bounds on the XML tree built from a packet.
const (
	maxXMPDepth = 64
	maxXMPNodes = 100_000
)

// xmpData is what the XMP packet says, before reconciliation.
type xmpData struct {
	people, subjects, creators []string
	rights                     string
	rating                     int
	hasRating                  bool
	dateTimeOriginal           string
	dateCreated                string
	bodySerial, auxSerial      string
	hasGPS                     bool
}

// readXMP parses an XMP packet. Properties are read from every
// rdf:Description, whether written as attributes or as child elements; a
// packet that is not well-formed yields what was read before the fault.
func (r *reader) readXMP(b []byte) xmpData {
	var d xmpData
	if len(b) > maxXMP {
		r.warn("xmp", "XMP packet larger than %d bytes; ignored", maxXMP)
		return d
	}
	root, err := parseXML(b)
	if err != nil {
		r.warn("xmp", "XMP packet malformed: %v", err)
	}
	props := properties{}
	root.walk(func(n *node) {
		if n.name.Space == nsRDF && n.name.Local == "Description" {
			props.add(n)
		}
	})

	d.people = props.items(nsIptc4xmpEx, "PersonInImage")
	d.subjects = props.items(nsDC, "subject")
	d.creators = props.items(nsDC, "creator")
	d.rights = props.first(nsDC, "rights")
	d.dateTimeOriginal = props.first(nsEXIF, "DateTimeOriginal")
	d.dateCreated = props.first(nsPhotoshop, "DateCreated")
	d.bodySerial = props.first(nsEXIFEX, "BodySerialNumber")
	d.auxSerial = props.first(nsAux, "SerialNumber")
	d.hasGPS = props.first(nsEXIF, "GPSLatitude") != "" || props.first(nsEXIF, "GPSLongitude") != ""
	if v := props.first(nsXMP, "Rating"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		switch {
		case err != nil || math.IsNaN(f) || f < -1 || f > 5:
			r.warn("xmp", "Rating %q is not a number from -1 to 5; ignored", v)
		default:
			d.rating, d.hasRating = int(math.Round(f)), true
		}
	}
	return d
}

// node is an element of the parsed packet.
type node struct {
	name  xml.Name
	attrs []xml.Attr
	text  strings.Builder
	kids  []*node
}

func (n *node) walk(fn func(*node)) {
	fn(n)
	for _, k := range n.kids {
		k.walk(fn)
	}
}

func (n *node) attr(space, local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

func (n *node) child(space, local string) *node {
	for _, k := range n.kids {
		if k.name.Space == space && k.name.Local == local {
			return k
		}
	}
	return nil
}

// parseXML builds the element tree of b under a synthetic root. It returns
// the tree read so far together with any error.
func parseXML(b []byte) (*node, error) {
	root := &node{}
	b = utf8Packet(b)
	// Packets are often padded with NULs, which XML does not allow.
	b = bytes.TrimRight(b, "\x00 \t\r\n")
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = false
	dec.CharsetReader = charsetReader
	stack := []*node{root}
	count := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return root, nil
		}
		if err != nil {
			return root, errors.New(oneLine(err.Error()))
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			count++
			if count > maxXMPNodes || len(stack) > maxXMPDepth {
				return root, errors.New("too many or too deeply nested elements")
			}
			n := &node{name: tok.Name, attrs: tok.Attr}
			top := stack[len(stack)-1]
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			top := stack[len(stack)-1]
			if top != root {
				top.text.Write(tok)
			}
		}
	}
}

// properties maps "namespace local" to the values read for it, in order.
type properties map[string][]string

func (p properties) add(desc *node) {
	for _, a := range desc.attrs {
		switch a.Name.Space {
		case "", "xmlns", nsRDF, nsXML:
			continue
		}
		p.put(a.Name, []string{a.Value})
	}
	for _, k := range desc.kids {
		p.put(k.name, values(k))
	}
}

func (p properties) put(name xml.Name, vals []string) {
	key := name.Space + " " + name.Local
	for _, v := range vals {
		if v = cleanText(v); v != "" {
			p[key] = append(p[key], v)
		}
	}
}

// items returns all values of a property.
func (p properties) items(space, local string) []string { return p[space+" "+local] }

// first returns the first value of a property, or "".
func (p properties) first(space, local string) string {
	if v := p[space+" "+local]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// values reads a property element: the items of an rdf:Bag, rdf:Seq or
// rdf:Alt (the x-default item first), else an rdf:resource, else its text.
// Structures yield nothing.
func values(prop *node) []string {
	for _, kind := range []string{"Bag", "Seq", "Alt"} {
		arr := prop.child(nsRDF, kind)
		if arr == nil {
			continue
		}
		var out []string
		for _, li := range arr.kids {
			if li.name.Space != nsRDF || li.name.Local != "li" {
				continue
			}
			v := itemValue(li)
			if lang, _ := li.attr(nsXML, "lang"); kind == "Alt" && lang == "x-default" {
				out = append([]string{v}, out...)
			} else {
				out = append(out, v)
			}
		}
		return out
	}
	if v, ok := prop.attr(nsRDF, "resource"); ok {
		return []string{v}
	}
	if len(prop.kids) > 0 {
		return nil
	}
	return []string{prop.text.String()}
}

// itemValue reads an rdf:li: its text, or its rdf:value when it carries
// qualifiers.
func itemValue(li *node) string {
	if v, ok := li.attr(nsRDF, "value"); ok {
		return v
	}
	if v := li.child(nsRDF, "value"); v != nil {
		return v.text.String()
	}
	if len(li.kids) > 0 {
		return ""
	}
	return li.text.String()
}

// utf8Packet converts a packet written in UTF-16, which XMP allows, to
// UTF-8; it returns any other packet unchanged.
func utf8Packet(b []byte) []byte {
	if len(b) < 4 {
		return b
	}
	var bo binary.ByteOrder
	switch {
	case b[0] == 0xFE && b[1] == 0xFF, b[0] == 0 && b[1] != 0 && b[2] == 0:
		bo = binary.BigEndian
	case b[0] == 0xFF && b[1] == 0xFE, b[0] != 0 && b[1] == 0 && b[3] == 0:
		bo = binary.LittleEndian
	default:
		return b
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = bo.Uint16(b[2*i:])
	}
	return []byte(string(utf16.Decode(u)))
}

// charsetReader serves packets that declare an encoding other than UTF-8
// (XMP requires UTF-8): Latin-1 is converted, anything else is read as is.
func charsetReader(charset string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "iso-8859-1", "latin1", "latin-1", "windows-1252", "us-ascii", "ascii":
		b, err := io.ReadAll(io.LimitReader(in, maxXMP))
		if err != nil {
			return nil, err
		}
		return strings.NewReader(latin1(b)), nil
	}
	return in, nil
}
