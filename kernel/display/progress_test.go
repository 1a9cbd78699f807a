package display

import (
	"bytes"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// progressOf returns the state a progress bundle carries for the frontend.
func progressOf(t *testing.T, b Bundle) (title string, done, total int) {
	t.Helper()
	m, ok := b.Data[mimeProgress].(map[string]any)
	if !ok {
		t.Fatalf("no %s in %v", mimeProgress, b.Data)
	}
	return m["title"].(string), m["done"].(int), m["total"].(int)
}

func TestProgressBounded(t *testing.T) {
	cases := []struct {
		name     string
		total    int
		run      func(p *ProgressBar)
		maxCalls int // publications, the first included
		final    int // done in the last one
	}{
		{
			name:  "a million Set calls",
			total: 1_000_000,
			run: func(p *ProgressBar) {
				for i := range 1_000_000 {
					p.Set(i + 1)
				}
				p.Done()
			},
			maxCalls: 1 + 100 + 1, // 0 %, each whole percent, Done
			final:    1_000_000,
		},
		{
			name:  "Add in steps",
			total: 250,
			run: func(p *ProgressBar) {
				for range 250 {
					p.Add(1)
				}
				p.Done()
			},
			maxCalls: 1 + 100 + 1,
			final:    250,
		},
		{
			name:  "Done before the end shows 100 %",
			total: 1000,
			run: func(p *ProgressBar) {
				p.Set(10)
				p.Done()
				p.Set(500) // ignored after Done
				p.Done()
			},
			maxCalls: 3,
			final:    1000,
		},
		{
			name:  "clamped",
			total: 10,
			run: func(p *ProgressBar) {
				p.Set(-5)
				p.Add(1000)
			},
			maxCalls: 2,
			final:    10,
		},
		{
			name:  "unknown total",
			total: 0,
			run: func(p *ProgressBar) {
				for i := range 100_000 {
					p.Set(i + 1)
				}
				p.Done()
			},
			maxCalls: 1 + 9*5 + 1 + 1, // 0, leading digits of 1…100000, Done
			final:    100_000,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := &recorder{}
			p := New(rec).Progress("spin-up", c.total)
			c.run(p)
			if len(rec.calls) > c.maxCalls {
				t.Errorf("%d publications, want at most %d", len(rec.calls), c.maxCalls)
			}
			for i, call := range rec.calls {
				if call.update != (i > 0) || call.id != rec.calls[0].id {
					t.Fatalf("call %d: update %v, id %s; want one display published, then updated", i, call.update, call.id)
				}
			}
			last := rec.calls[len(rec.calls)-1].b
			title, done, total := progressOf(t, last)
			if title != "spin-up" || done != c.final || total != c.total {
				t.Errorf("last state %q %d/%d, want %q %d/%d", title, done, total, "spin-up", c.final, c.total)
			}
			if c.total > 0 && !strings.Contains(last.Data[mimeText].(string), "100 %") {
				t.Errorf("last text %q, want 100 %%", last.Data[mimeText])
			}
		})
	}
}

func TestProgressConcurrent(t *testing.T) {
	rec := &recorder{}
	p := New(rec).Progress("ensemble", 8000)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				p.Add(1)
			}
		})
	}
	wg.Wait()
	if n := len(rec.calls); n != 101 {
		t.Errorf("%d publications, want 101 (0 %% to 100 %%)", n)
	}
	prev := -1
	for _, c := range rec.calls {
		_, done, _ := progressOf(t, c.b)
		if done <= prev {
			t.Fatalf("progress went from %d to %d", prev, done)
		}
		prev = done
	}
	if prev != 8000 {
		t.Errorf("ended at %d, want 8000", prev)
	}
	p.Done()
	var nilBar *ProgressBar
	nilBar.Set(1)
	nilBar.Add(1)
	nilBar.Done()
}

func TestProgressBundle(t *testing.T) {
	cases := []struct {
		title       string
		done, total int
		text        string
		html        string
	}{
		{"spin-up", 450, 1000, "spin-up  [#########           ]  45 % (450/1000)",
			`<div class="firn-progress"><span>spin-up</span> <progress value="450" max="1000"></progress> 45 % (450/1000)</div>`},
		{"", 0, 3, "[                    ]   0 % (0/3)",
			`<div class="firn-progress"><progress value="0" max="3"></progress> 0 % (0/3)</div>`},
		{"a<b>", 3, 3, "a<b>  [####################] 100 % (3/3)",
			`<div class="firn-progress"><span>a&lt;b&gt;</span> <progress value="3" max="3"></progress> 100 % (3/3)</div>`},
		{"glaciers", 1234, 0, "glaciers  1234 done",
			`<div class="firn-progress"><span>glaciers</span> <progress></progress> 1234 done</div>`},
		{"big", 1 << 40, 1 << 41, "big  [##########          ]  50 % (1099511627776/2199023255552)", ""},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			b := progressBundle(c.title, c.done, c.total)
			if b.Data[mimeText] != c.text {
				t.Errorf("text/plain = %q, want %q", b.Data[mimeText], c.text)
			}
			if c.html != "" && b.Data[mimeHTML] != c.html {
				t.Errorf("text/html = %q, want %q", b.Data[mimeHTML], c.html)
			}
			want := map[string]any{"title": c.title, "done": c.done, "total": c.total}
			if !reflect.DeepEqual(b.Data[mimeProgress], want) {
				t.Errorf("%s = %v, want %v", mimeProgress, b.Data[mimeProgress], want)
			}
		})
	}
}

func TestProgressText(t *testing.T) {
	cases := []struct {
		name  string
		tty   bool
		total int
		steps int
		want  string
	}{
		{
			name: "log", total: 200, steps: 200,
			want: "run  [                    ]   0 % (0/200)\n" +
				"run  [##                  ]  10 % (20/200)\n" +
				"run  [####                ]  20 % (40/200)\n" +
				"run  [######              ]  30 % (60/200)\n" +
				"run  [########            ]  40 % (80/200)\n" +
				"run  [##########          ]  50 % (100/200)\n" +
				"run  [############        ]  60 % (120/200)\n" +
				"run  [##############      ]  70 % (140/200)\n" +
				"run  [################    ]  80 % (160/200)\n" +
				"run  [##################  ]  90 % (180/200)\n" +
				"run  [####################] 100 % (200/200)\n",
		},
		{
			name: "terminal", tty: true, total: 4, steps: 4,
			want: "\rrun  [                    ]   0 % (0/4)" +
				"\rrun  [#####               ]  25 % (1/4)" +
				"\rrun  [##########          ]  50 % (2/4)" +
				"\rrun  [###############     ]  75 % (3/4)" +
				"\rrun  [####################] 100 % (4/4)" +
				"\rrun  [####################] 100 % (4/4)\n",
		},
		{
			name: "log, unknown total", total: 0, steps: 25,
			want: "run  0 done\nrun  1 done\nrun  2 done\nrun  3 done\nrun  4 done\nrun  5 done\nrun  6 done\n" +
				"run  7 done\nrun  8 done\nrun  9 done\nrun  10 done\nrun  20 done\nrun  25 done\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			d := &Display{stdout: &out, stderr: &errOut, tty: c.tty}
			p := d.Progress("run", c.total)
			for i := range c.steps {
				p.Set(i + 1)
			}
			p.Done()
			if errOut.String() != c.want {
				t.Errorf("stderr:\n%q\nwant:\n%q", errOut.String(), c.want)
			}
			if out.Len() > 0 {
				t.Errorf("stdout: %q", out.String())
			}
		})
	}
}

func TestProgressTerminalShorterLine(t *testing.T) {
	var errOut bytes.Buffer
	p := (&Display{stderr: &errOut, tty: true}).Progress("run", 0)
	p.Set(1000)
	p.Set(5)
	p.Done()
	want := "\rrun  0 done\rrun  1000 done\rrun  5 done   \rrun  5 done\n"
	if errOut.String() != want {
		t.Errorf("stderr %q, want %q", errOut.String(), want)
	}
}
