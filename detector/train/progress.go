package train

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress draws a one-line progress bar for one stage of training.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	stage string
	total int
	done  int
	start time.Time
	last  time.Time
}

func newProgress(w io.Writer, stage string, total int) *progress {
	p := &progress{w: w, stage: stage, total: total, start: time.Now()}
	p.draw(true)
	return p
}

// add advances the bar by n units.
func (p *progress) add(n int) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	p.draw(false)
}

func (p *progress) draw(force bool) {
	if p.w == nil {
		return
	}
	now := time.Now()
	if !force && now.Sub(p.last) < 200*time.Millisecond && p.done < p.total {
		return
	}
	p.last = now
	frac := 1.0
	if p.total > 0 {
		// Clamped: a stage that counts past its total must not break the bar.
		frac = min(max(float64(p.done)/float64(p.total), 0), 1)
	}
	const width = 30
	filled := int(frac * width)
	fmt.Fprintf(p.w, "\r%-22s [%s%s] %3.0f%% %6.1fs", p.stage, strings.Repeat("#", filled), strings.Repeat(".", width-filled), 100*frac, time.Since(p.start).Seconds())
}

// finish completes the bar and ends its line.
func (p *progress) finish() {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = p.total
	p.draw(true)
	fmt.Fprintln(p.w)
}
