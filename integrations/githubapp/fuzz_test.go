package githubapp

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store/sqlstore"
)

// FuzzServeHTTP drives arbitrary webhook deliveries (event, delivery ID,
// signature header and body) through ServeHTTP, then runs the event's
// handler synchronously on whatever parses. Properties: nothing panics (not
// even a panic the worker would recover), the status is one the handler
// documents, an unsigned or badly signed body is refused before anything
// else, and no answer echoes the secret.
//
// sig selects the signature: "" signs the body correctly, "-" sends no
// header, anything else is sent as X-Hub-Signature-256 verbatim.
func FuzzServeHTTP(f *testing.F) {
	for _, name := range []string{"issues.opened.json", "pull_request.opened.json", "issue_comment.created.json",
		"pull_request_review_comment.created.json", "pull_request_review.submitted.json", "check_run.requested_action.json", "installation.created.json",
		"push.policy.json"} {
		body, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		event := strings.SplitN(name, ".", 2)[0]
		f.Add(event, "d-"+name, "", body)
		f.Add(event, "d-"+name, "-", body)
	}
	f.Add("pull_request", "d", "sha256="+strings.Repeat("0", 64), []byte(`{}`))
	f.Add("issues", "d", "", []byte(`{"action":"opened","issue":{"body":"\xff\xfe"}}`))
	f.Add("issues", "d", "", []byte(strings.Repeat("[", 10000)))
	f.Add("ping", "d", "", []byte(`{"zen":"x"}`))
	f.Add("", "", "", []byte(``))

	fz := newFuzzApp(f)
	f.Fuzz(func(t *testing.T, event, delivery, sig string, body []byte) {
		if n := fz.logs.count("panicked"); n > 0 {
			t.Fatalf("a worker recovered a panic on an earlier input:\n%s", fz.logs.String())
		}
		req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
		req.Header.Set("X-GitHub-Event", event)
		req.Header.Set("X-GitHub-Delivery", delivery)
		signed := false
		switch sig {
		case "":
			req.Header.Set("X-Hub-Signature-256", signBody(fuzzSecret, body))
			signed = true
		case "-":
		default:
			req.Header.Set("X-Hub-Signature-256", sig)
			signed = hmac.Equal([]byte(sig), []byte(signBody(fuzzSecret, body)))
		}
		rec := httptest.NewRecorder()
		fz.app.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusAccepted, http.StatusBadRequest, http.StatusUnauthorized,
			http.StatusRequestEntityTooLarge, http.StatusServiceUnavailable:
		default:
			t.Fatalf("got status %d, want one of 200, 202, 400, 401, 413, 503", rec.Code)
		}
		if !signed && rec.Code != http.StatusBadRequest && rec.Code != http.StatusUnauthorized {
			t.Fatalf("unsigned/forged delivery: got status %d, want 400 or 401", rec.Code)
		}
		if strings.Contains(rec.Body.String(), fuzzSecret) {
			t.Fatalf("answer contains the webhook secret: %q", rec.Body.String())
		}
		if !signed || !handledEvents[event] {
			return
		}
		payload, err := github.ParseWebHook(event, body)
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("handler for %s panicked: %v", event, p)
				}
			}()
			_ = fz.app.dispatch(ctx, fz.log, job{event: event, delivery: delivery, payload: payload, received: time.Now()})
		}()
	})
}

const fuzzSecret = "fuzz-webhook-secret-7f3a"

// fuzzApp is one App shared by every fuzz input: a SQLite store, a fake
// GitHub that answers every write with 201 and every read with 404, and a
// checker that flags everything so every action path runs.
type fuzzApp struct {
	app  *App
	log  *slog.Logger
	logs *logBuffer
}

func newFuzzApp(tb testing.TB) *fuzzApp {
	tb.Helper()
	gh := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodGet {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"Not Found"}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id": 1, "number": 1}`)
	}))
	tb.Cleanup(gh.Close)
	st, err := sqlstore.Open(context.Background(), "sqlite", filepath.Join(tb.TempDir(), "fuzz.db"))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	rt, err := NewTransport(TransportOptions{Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		tb.Fatal(err)
	}
	client, err := NewRESTClient(rt, gh.URL+"/")
	if err != nil {
		tb.Fatal(err)
	}
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	app, err := New(Options{
		WebhookSecret: []byte(fuzzSecret),
		MaxBodyBytes:  1 << 20,
		Workers:       2,
		Clients:       StaticClients{Client: client},
		GraphQLURL:    gh.URL + "/graphql",
		Checker:       slop,
		Store:         st,
		DefaultPolicy: func() moderation.Policy {
			p := moderation.DefaultPolicy()
			p.Exemptions = moderation.Exemptions{}
			return p
		}(),
		Logger: log,
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { app.Shutdown(context.Background()) })
	return &fuzzApp{app: app, log: log, logs: logs}
}

// signBody returns the X-Hub-Signature-256 value of body under secret.
func signBody(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
