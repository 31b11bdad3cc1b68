// Package web serves the pages that show why slopguard decided what it did:
// a page per decision, with the scored text and every span a reason points
// at highlighted, and a dashboard per repository or Discord server. It
// also renders the same highlighting into one self-contained HTML file
// (WriteReport) for `slopguard check --format html`.
//
// Access is by signed link only (Signer): an HMAC-SHA256 over what the
// link opens (one decision, or one scope) and when it expires, made with a
// server secret and compared in constant time. No login is stored.
//
// The pages load nothing from elsewhere: templates and the stylesheet are
// embedded with go:embed, charts are SVG drawn on the server with
// gonum/plot, and every response carries a Content-Security-Policy that
// allows no script at all. Reasons show on hover and on keyboard focus
// with CSS alone. Every value goes through html/template; the text's
// bidirectional control characters are shown as visible marks so that
// they cannot reorder the page around them.
package web
