//go:build cluster

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	sessionCookie = "confmedia_session"
	loginCookie   = "confmedia_login"
)

// runSession signs in on one web node through its login form, as a browser
// does (GET /login for the form's nonce cookie, POST /login with the token),
// then opens an organizer's page and API with that session cookie on both
// nodes. The cookie must work on both, and an altered cookie or none on
// neither.
func runSession(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("session", flag.ContinueOnError)
	login := fs.String("login", "", "base URL of the node to sign in on")
	other := fs.String("other", "", "base URL of the other node")
	token := fs.String("token", "", "admin token")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	do := func(method, u string, body io.Reader, cookies ...*http.Cookie) (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, method, u, body)
		if err != nil {
			return nil, err
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		resp, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp, nil
	}
	cookie := func(resp *http.Response, name string) *http.Cookie {
		for _, ck := range resp.Cookies() {
			if ck.Name == name && ck.Value != "" {
				return &http.Cookie{Name: ck.Name, Value: ck.Value}
			}
		}
		return nil
	}

	resp, err := do("GET", *login+"/login", nil)
	if err != nil {
		return err
	}
	nonce := cookie(resp, loginCookie)
	if nonce == nil {
		return fmt.Errorf("GET %s/login: %s, and no %s cookie", *login, resp.Status, loginCookie)
	}
	form := url.Values{"token": {*token}, "login": {nonce.Value}}
	resp, err = do("POST", *login+"/login", strings.NewReader(form.Encode()), nonce)
	if err != nil {
		return err
	}
	session := cookie(resp, sessionCookie)
	if resp.StatusCode != http.StatusSeeOther || session == nil {
		return fmt.Errorf("POST %s/login: %s, session cookie %v", *login, resp.Status, session != nil)
	}
	forged := &http.Cookie{Name: sessionCookie, Value: flip(session.Value)}
	var problems []string
	for _, base := range []string{*login, *other} {
		for _, path := range []string{"/admin", "/api/queue"} {
			for _, tc := range []struct {
				what   string
				ck     []*http.Cookie
				wantOK bool
			}{{"the session", []*http.Cookie{session}, true}, {"an altered cookie", []*http.Cookie{forged}, false}, {"no cookie", nil, false}} {
				resp, err := do("GET", base+path, nil, tc.ck...)
				if err != nil {
					return err
				}
				ok := resp.StatusCode == http.StatusOK
				fmt.Printf("GET %s%s with %s: %s\n", base, path, tc.what, resp.Status)
				if ok != tc.wantOK {
					problems = append(problems, fmt.Sprintf("GET %s%s with %s: %s", base, path, tc.what, resp.Status))
				}
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	fmt.Printf("a session made on %s is valid on %s and %s\n", *login, *login, *other)
	return nil
}

// flip changes the last character of v, keeping it in the same alphabet.
func flip(v string) string {
	if v == "" {
		return "x"
	}
	last := v[len(v)-1]
	repl := byte('A')
	if last == 'A' {
		repl = 'B'
	}
	return v[:len(v)-1] + string(repl)
}
