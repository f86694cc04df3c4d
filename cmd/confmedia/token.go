package main

import (
	"context"
	"fmt"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/web"
)

func (m *Main) runTokenCreate(ctx context.Context, args []string) error {
	fs := m.newFlagSet("token create", "--role admin|photographer|video|speaker --name NAME [--speaker NAME|ID] [--expires 72h|30d|never]")
	role := fs.String("role", "", "what the token may do: admin, photographer, video or speaker")
	name := fs.String("name", "", "who the token is for")
	speaker := fs.String("speaker", "", "for --role speaker (and only then): the speaker whose page and downloads it opens, by id or by name as the schedule spells it")
	expires := fs.String("expires", "", "how long it lasts: a duration (72h) or days (30d), or never (default 30d)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	settings := m.clientFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *role == "" || *name == "" {
		fs.Usage()
		return usageErr("token create needs --role and --name, and takes no arguments")
	}
	if (catalog.Role(*role) == catalog.RoleSpeaker) != (*speaker != "") {
		fs.Usage()
		return usageErr("a speaker token needs --speaker NAME|ID, the speaker it belongs to; other roles take no --speaker")
	}
	if _, err := web.ParseTokenTTL(*expires); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	out, err := m.client(settings()).CreateToken(ctx, web.TokenRequest{Role: catalog.Role(*role), Name: *name, Expires: *expires, Speaker: *speaker})
	if err != nil {
		if catalog.ErrorKind(err) == catalog.Invalid {
			return &exitError{code: exitUsage, err: err}
		}
		return err
	}
	if *asJSON {
		return m.printJSON(out)
	}
	until := "never expires"
	if !out.Expires.IsZero() {
		until = "expires " + out.Expires.UTC().Format("2006-01-02 15:04 UTC")
	}
	whose := ""
	if out.SpeakerID != "" {
		whose = "; opens the page of speaker " + out.SpeakerID
	}
	fmt.Fprintf(m.Stdout, "%s token for %s (%s; hash %s%s)\n\ntoken:      %s\nlogin link: %s\n\n"+
		"Hand the link over now: it is not shown again. To revoke it: confmedia token revoke TOKEN (or its hash)\n",
		out.Role, out.Name, until, out.Hash, whose, out.Token, out.Link)
	return nil
}

func (m *Main) runTokenRevoke(ctx context.Context, args []string) error {
	fs := m.newFlagSet("token revoke", "TOKEN|LINK|HASH-PREFIX")
	settings := m.clientFlags(fs)
	pos, err := parseArgs(fs, args, 1, 1)
	if err != nil {
		return err
	}
	info, err := m.client(settings()).RevokeToken(ctx, pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "revoked the %s token for %s (hash %s): its links and logins no longer work\n", info.Role, info.Name, info.Hash)
	return nil
}
