package metric

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestRegisterSharesACollectorAlreadyThere(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	first, err := Register(reg, CounterVec("x_total", "X.", "result"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := Register(reg, CounterVec("x_total", "X.", "result"))
	if err != nil {
		t.Fatalf("second registration: %v, want the first collector back", err)
	}
	second.WithLabelValues("ok").Inc()
	if got := testutil.ToFloat64(first.WithLabelValues("ok")); got != 1 {
		t.Errorf("the first collector counted %v, want 1: the second is not the same", got)
	}
	// A collector of another type under the name is an error, not shared.
	if _, err := Register(reg, Gauge("x_total", "X.")); err == nil {
		t.Error("a gauge under a counter's name: got no error")
	}
	if _, err := Register(reg, Counter("y_total", "Y.")); err != nil {
		t.Errorf("a new counter: %v", err)
	}
	if err := testutil.CollectAndCompare(first, strings.NewReader("# HELP x_total X.\n# TYPE x_total counter\nx_total{result=\"ok\"} 1\n")); err != nil {
		t.Error(err)
	}
}
