package kernel

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firnglacier/firn/kernel/protocol"
)

// rssBytes is the resident set size of a process (Linux).
func rssBytes(tb testing.TB, pid int) float64 {
	tb.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Skipf("no /proc: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			if err != nil {
				tb.Fatal(err)
			}
			return kb * 1024
		}
	}
	tb.Fatal("no VmRSS")
	return 0
}

// BenchmarkStartToFirstResult: a kernel process started, `1+1` answered.
func BenchmarkStartToFirstResult(b *testing.B) {
	ctx := context.Background()
	var rss float64
	for b.Loop() {
		k, err := Start(ctx, Options{Command: []string{os.Args[0]}, Env: []string{"FIRN_KERNEL_CHILD=1"}, Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		reply, err := k.Execute(ctx, "1+1", nil)
		if err != nil || reply.Status != "ok" {
			b.Fatal(reply, err)
		}
		b.StopTimer()
		rss = rssBytes(b, k.Pid())
		_ = k.Shutdown(ctx)
		b.StartTimer()
	}
	b.ReportMetric(rss/(1<<20), "idle-RSS-MiB")
}

// BenchmarkTrivialCell is the round trip of a trivial cell.
func BenchmarkTrivialCell(b *testing.B) {
	k, ctx := startKernel(b, Options{})
	for b.Loop() {
		reply, err := k.Execute(ctx, "1+1", nil)
		if err != nil || reply.Status != "ok" {
			b.Fatal(reply, err)
		}
	}
}

// BenchmarkThousandCells runs 1000 cells that define and use variables,
// functions and types, and reports the kernel's RSS before and after.
func BenchmarkThousandCells(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		k, ctx := startKernel(b, Options{})
		run(b, ctx, k, "1+1")
		before := rssBytes(b, k.Pid())
		b.StartTimer()
		var mid float64
		for i := range 1000 {
			code := fmt.Sprintf("v%d := []float64{1, 2, %d}\nfunc f%d() float64 { return v%d[2] }\nfmt.Sprint(f%d())", i%10, i, i%10, i%10, i%10)
			if reply, err := k.Execute(ctx, code, nil); err != nil || reply.Status != "ok" {
				b.Fatal(reply, err)
			}
			if i == 499 {
				mid = rssBytes(b, k.Pid())
			}
		}
		b.StopTimer()
		after := rssBytes(b, k.Pid())
		b.ReportMetric(before/(1<<20), "RSS-start-MiB")
		b.ReportMetric(mid/(1<<20), "RSS-500-MiB")
		b.ReportMetric(after/(1<<20), "RSS-1000-MiB")
		_ = k.Shutdown(ctx)
		b.StartTimer()
	}
}

// BenchmarkWidgetRerun is what a slider step costs in the kernel: the ELA
// slider's new value sent with the first of the cells that read it, a
// glacier grown for 300 years at that ELA, its figure rendered (SVG only,
// as for a live run) and its volume printed, as the reactive notebook of
// frontend/e2e/reactive.mjs does. Each cell's share is reported too.
//
//	go test -run '^$' -bench WidgetRerun ./kernel
func BenchmarkWidgetRerun(b *testing.B) {
	k, ctx := startKernel(b, Options{})
	if reply, _ := run(b, ctx, k, `ela := display.Slider("ELA (m)", 2700, 3300, 50, 3000)`); reply.Status != "ok" {
		b.Fatal(reply)
	}
	cells := []struct{ name, code string }{
		{"glacier", "g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(ela.Value(), 4))\ng.ProgressToYear(300)"},
		{"plot", "plots.Glacier(g)"},
		{"volume", `fmt.Printf("volume after 300 years: %.4f km³\n", g.Diagnostics().Volume/1e9)`},
	}
	spent := make([]time.Duration, len(cells))
	step := 0
	for b.Loop() {
		step++
		for i, c := range cells {
			req := protocol.ExecuteRequestContent{Code: c.code, StopOnError: true, Live: true}
			if i == 0 {
				req.Widgets = map[string]any{"ELA (m)": 2700 + float64(step%12)*50}
			}
			t0 := time.Now()
			reply, err := k.ExecuteRequest(ctx, req, nil)
			spent[i] += time.Since(t0)
			if err != nil || reply.Status != "ok" {
				b.Fatalf("%s: %+v %v", c.name, reply, err)
			}
		}
	}
	for i, c := range cells {
		b.ReportMetric(float64(spent[i].Microseconds())/1000/float64(step), c.name+"-ms")
	}
}
