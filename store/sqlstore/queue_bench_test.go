package sqlstore

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slopguard/slopguard/store"
)

// BenchmarkJobRoundTrip measures one job's trip through the queue: enqueue,
// claim (with its item lease) and complete, as the App does per delivery.
//
//	go test -run '^$' -bench JobRoundTrip ./store/sqlstore/
//	scripts/with-postgres.sh go test -run '^$' -bench JobRoundTrip ./store/sqlstore/
func BenchmarkJobRoundTrip(b *testing.B) {
	dsns := map[string]func(b *testing.B) string{
		SQLite: func(b *testing.B) string { return filepath.Join(b.TempDir(), "slopguard.db") },
		Postgres: func(b *testing.B) string {
			dsn := os.Getenv(postgresEnv)
			if dsn == "" {
				b.Skipf("%s not set", postgresEnv)
			}
			return freshSchema(b, dsn)
		},
	}
	for _, driver := range []string{SQLite, Postgres} {
		b.Run(driver, func(b *testing.B) {
			s, err := Open(b.Context(), driver, dsns[driver](b))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			now := time.Now()
			b.ResetTimer()
			for i := range b.N {
				j := store.Job{Platform: "github", DeliveryID: fmt.Sprint("d", i), Kind: "pull_request",
					ItemKey: fmt.Sprintf("acme/widgets#%d", i%50), Payload: make([]byte, 8<<10)}
				if _, err := s.EnqueueJob(b.Context(), j, now, now.Add(time.Hour)); err != nil {
					b.Fatal(err)
				}
				got, err := s.ClaimJobs(b.Context(), "github", 1, now, time.Minute)
				if err != nil || len(got) != 1 {
					b.Fatalf("claim: %v %v", got, err)
				}
				if err := s.CompleteJob(b.Context(), got[0], now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
