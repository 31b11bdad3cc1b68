package githubapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/slopguard/slopguard/store"
)

// deliveryTTL is how long a delivery ID is remembered for deduplication.
const deliveryTTL = 7 * 24 * time.Hour

// ServeHTTP receives one webhook delivery: it verifies the signature before
// reading anything else, deduplicates, parses, and queues the work.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	event := r.Header.Get("X-GitHub-Event")
	result := func(code int, res, msg string) {
		a.metrics.deliveries.WithLabelValues(eventLabel(event), res).Inc()
		http.Error(w, msg, code)
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		result(http.StatusMethodNotAllowed, "bad_method", "use POST")
		return
	}
	// Bodies are read before they are authenticated: bound how many at
	// once, so a flood of large unsigned bodies cannot take the memory.
	wait := time.NewTimer(a.opt.BodySlotWait)
	select {
	case a.bodies <- struct{}{}:
		wait.Stop()
	case <-wait.C:
		result(http.StatusServiceUnavailable, "busy", "too many deliveries being read, redeliver later")
		return
	case <-r.Context().Done():
		wait.Stop()
		result(http.StatusServiceUnavailable, "busy", "client gone")
		return
	}
	body, err := a.readVerified(w, r)
	<-a.bodies
	if err != nil {
		var re *requestError
		if errors.As(err, &re) {
			if re.res == "bad_signature" {
				a.log.Warn("webhook signature rejected", "reason", re.msg, "event", event,
					"delivery_id", r.Header.Get("X-GitHub-Delivery"), "remote", r.RemoteAddr)
			}
			result(re.code, re.res, re.msg)
		}
		return
	}

	delivery := r.Header.Get("X-GitHub-Delivery")
	if event == "" || delivery == "" {
		result(http.StatusBadRequest, "bad_headers", "X-GitHub-Event and X-GitHub-Delivery are required")
		return
	}
	if event == "ping" {
		a.metrics.deliveries.WithLabelValues(event, "ok").Inc()
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "pong\n")
		return
	}
	if !handledEvents[event] {
		result(http.StatusAccepted, "ignored", "event ignored")
		return
	}
	payload, err := parsePayload(event, body)
	if err != nil {
		a.log.Warn("webhook payload rejected", "event", event, "delivery_id", delivery, "err", err)
		result(http.StatusBadRequest, "bad_payload", "cannot parse payload")
		return
	}
	if account, ok := a.accountAllowed(payload); !ok {
		a.log.Warn("webhook from an account not in github.allowed_accounts: acknowledged, not processed",
			"event", event, "delivery_id", delivery, "account", account)
		result(http.StatusAccepted, "not_allowed", "account not served here")
		return
	}
	// The job is in the store before the answer: a 2xx means it will run,
	// here or in another replica, even if this process dies next.
	now := a.now()
	accepted, err := a.queue.EnqueueJob(r.Context(), store.Job{
		Platform: jobPlatform, DeliveryID: delivery, Kind: event, ItemKey: itemKey(payload), Payload: body,
	}, now, now.Add(deliveryTTL))
	if err != nil {
		a.log.Error("record delivery", "delivery_id", delivery, "event", event, "err", err)
		result(http.StatusServiceUnavailable, "store_error", "cannot record the delivery, redeliver later")
		return
	}
	if !accepted {
		result(http.StatusOK, "duplicate", "already delivered")
		return
	}
	a.wakeWorkers()
	a.metrics.deliveries.WithLabelValues(event, "accepted").Inc()
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, "accepted\n")
}

// requestError is a refused delivery: its status, metric result and message.
type requestError struct {
	code     int
	res, msg string
}

func (e *requestError) Error() string { return e.msg }

// readVerified reads the body, up to MaxBodyBytes, and checks its signature.
func (a *App) readVerified(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.opt.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &requestError{http.StatusRequestEntityTooLarge, "too_large", "body too large"}
		}
		return nil, &requestError{http.StatusBadRequest, "bad_body", "cannot read body"}
	}
	if code, msg := verifySignature(r.Header.Get("X-Hub-Signature-256"), body, a.opt.WebhookSecret); code != 0 {
		return nil, &requestError{code, "bad_signature", msg}
	}
	return body, nil
}

// verifySignature checks an X-Hub-Signature-256 header against body in
// constant time. It returns 0 when the signature is good, otherwise the
// HTTP status and a short message. The SHA-1 X-Hub-Signature header is never
// consulted.
func verifySignature(header string, body, secret []byte) (int, string) {
	if header == "" {
		return http.StatusUnauthorized, "missing X-Hub-Signature-256"
	}
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return http.StatusBadRequest, "X-Hub-Signature-256 must start with sha256="
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return http.StatusBadRequest, "malformed X-Hub-Signature-256"
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return http.StatusUnauthorized, "signature does not match"
	}
	return 0, ""
}

// eventLabel keeps the metric's label set bounded.
func eventLabel(event string) string {
	if handledEvents[event] || event == "ping" {
		return event
	}
	return "other"
}
