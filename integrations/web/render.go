package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"math"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets/style.css
var styleCSS string

//go:embed assets/favicon.svg
var faviconSVG string

// cssVersion changes with the stylesheet, so a cached old one is not used.
var cssVersion = func() string {
	h := sha256.Sum256([]byte(styleCSS))
	return hex.EncodeToString(h[:6])
}()

// inlineCSP is the Content-Security-Policy of a self-contained page: its
// one inline stylesheet, by hash, and nothing else.
var inlineCSP = func() string {
	h := sha256.Sum256([]byte(styleCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'; base-uri 'none'; form-action 'none'"
}()

var funcs = template.FuncMap{
	"showText": showText,
	"plain":    plainText,
	"weight":   func(w float64) string { return fmt.Sprintf("%+.2f", w) },
	"pct":      func(p float64) string { return fmt.Sprintf("%.0f%%", 100*p) },
	"pos": func(p float64) string {
		return fmt.Sprintf("p%d", int(math.Round(20*min(max(p, 0), 1))))
	},
	"iso":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"when": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
}

var pages = template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))

// page is what every page template reads besides its own data.
type page struct {
	Title, Where string
	CSSVersion   string
	// InlineCSS holds the stylesheet for a self-contained file, with the
	// CSP that allows exactly it; empty for served pages.
	InlineCSS template.CSS
	InlineCSP string
}

func servedPage(title, where string) page {
	return page{Title: title, Where: where, CSSVersion: cssVersion}
}

func selfContainedPage(title, where string) page {
	return page{Title: title, Where: where, InlineCSS: template.CSS(styleCSS), InlineCSP: inlineCSP}
}

// render executes a template into a buffer first, so that a failure
// midway sends an error rather than half a page.
func render(w io.Writer, name string, data any) error {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	_, err := buf.WriteTo(w)
	return err
}
