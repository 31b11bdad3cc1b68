package config

import (
	"fmt"
	"net/url"
	"strings"
)

// parseHTTPURL parses raw, the value of key, as an http(s) URL with a host
// and no user name or password (which would end up in logs). Its errors,
// and any error that quotes the returned URL, never show user information:
// a URL that does not parse is not quoted, nor is one that holds an "@"
// anywhere ("user:pw@host" parses as scheme "user").
func parseHTTPURL(key, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// Not quoted, nor is url.Parse's error, which quotes raw.
		return nil, fmt.Errorf("%s: is not an http(s) URL (it does not parse)", key)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%s: must not hold a user name or password", key)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		if strings.Contains(raw, "@") {
			return nil, fmt.Errorf("%s: is not an http(s) URL", key)
		}
		return nil, fmt.Errorf("%s: %q is not an http(s) URL", key, raw)
	}
	return u, nil
}
