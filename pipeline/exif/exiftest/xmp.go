package exiftest

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// xmpPacket returns the XMP packet s asks for, or nil. Simple properties are
// written as attributes of rdf:Description, arrays as child elements, the
// two forms readers must accept.
func xmpPacket(s Spec) []byte {
	if len(s.People) == 0 && len(s.Subjects) == 0 && len(s.XMPCreator) == 0 && s.XMPRights == "" &&
		s.XMPDateTimeOriginal == "" && s.XMPDateCreated == "" && s.Rating == nil {
		return nil
	}
	var b strings.Builder
	b.WriteString("<?xpacket begin=\"\ufeff\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
	b.WriteString("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n")
	b.WriteString(" <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n")
	b.WriteString("  <rdf:Description rdf:about=\"\"\n")
	b.WriteString("    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n")
	b.WriteString("    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n")
	b.WriteString("    xmlns:exif=\"http://ns.adobe.com/exif/1.0/\"\n")
	b.WriteString("    xmlns:photoshop=\"http://ns.adobe.com/photoshop/1.0/\"\n")
	b.WriteString("    xmlns:Iptc4xmpExt=\"http://iptc.org/std/Iptc4xmpExt/2008-02-29/\"")
	attr := func(name, v string) {
		if v != "" {
			b.WriteString("\n    " + name + "=\"" + escape(v) + "\"")
		}
	}
	if s.Rating != nil {
		attr("xmp:Rating", strconv.Itoa(*s.Rating))
	}
	attr("exif:DateTimeOriginal", s.XMPDateTimeOriginal)
	attr("photoshop:DateCreated", s.XMPDateCreated)
	b.WriteString(">\n")
	array := func(name, kind string, items []string) {
		if len(items) == 0 {
			return
		}
		b.WriteString("   <" + name + ">\n    <rdf:" + kind + ">\n")
		for _, it := range items {
			li := "<rdf:li>"
			if kind == "Alt" {
				li = "<rdf:li xml:lang=\"x-default\">"
			}
			b.WriteString("     " + li + escape(it) + "</rdf:li>\n")
		}
		b.WriteString("    </rdf:" + kind + ">\n   </" + name + ">\n")
	}
	array("dc:creator", "Seq", s.XMPCreator)
	if s.XMPRights != "" {
		array("dc:rights", "Alt", []string{s.XMPRights})
	}
	array("dc:subject", "Bag", s.Subjects)
	array("Iptc4xmpExt:PersonInImage", "Bag", s.People)
	b.WriteString("  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>")
	return []byte(b.String())
}

func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// photoshopIRB returns the Photoshop image resources holding the IPTC-IIM
// records s asks for (and their digest), or nil. A value longer than a
// standard dataset holds (32767 bytes) is an error.
func photoshopIRB(s Spec) ([]byte, error) {
	var iim []byte
	var err error
	dataset := func(set byte, v string) {
		if v == "" {
			return
		}
		if len(v) > 0x7FFF {
			err = fmt.Errorf("exiftest: IPTC dataset 2:%d of %d bytes is too long", set, len(v))
			return
		}
		iim = append(iim, 0x1C, 2, set)
		iim = binary.BigEndian.AppendUint16(iim, uint16(len(v)))
		iim = append(iim, v...)
	}
	for _, k := range s.IPTCKeywords {
		dataset(25, k)
	}
	dataset(55, s.IPTCDateCreated)
	dataset(60, s.IPTCTimeCreated)
	dataset(80, s.IPTCByline)
	dataset(116, s.IPTCCopyright)
	if err != nil || iim == nil {
		return nil, err
	}
	// Record 1:90 declares UTF-8; record 2:00 the record version (4).
	head := []byte{0x1C, 1, 90, 0, 3, 0x1B, '%', 'G', 0x1C, 2, 0, 0, 2, 0, 4}
	iim = append(head, iim...)

	digest := md5.Sum(iim)
	if s.IPTCStaleDigest {
		digest = md5.Sum(append(iim, 0))
	}
	irb := resource(nil, 0x0404, iim)
	return resource(irb, 0x0425, digest[:]), nil
}

// resource appends one Photoshop image resource block: signature, id, empty
// name (padded to even length), size and data (padded to even length).
func resource(out []byte, id uint16, data []byte) []byte {
	out = append(out, "8BIM"...)
	out = binary.BigEndian.AppendUint16(out, id)
	out = append(out, 0, 0)
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	out = append(out, data...)
	if len(data)%2 == 1 {
		out = append(out, 0)
	}
	return out
}
