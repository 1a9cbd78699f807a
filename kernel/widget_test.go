package kernel

import (
	"strings"
	"testing"

	"github.com/firnglacier/firn/kernel/protocol"
)

// TestKernelWidgets runs cells with widgets in a kernel process: the cell
// that makes a slider shows it, and a cell that reads it sees the value
// the reader chose, sent with the execute request, without running the
// slider's cell again.
func TestKernelWidgets(t *testing.T) {
	k, ctx := startKernel(t, Options{})
	_, out := run(t, ctx, k, `ela := display.Slider("ELA (m)", 2500, 3500, 10, 3000)
warm := display.Checkbox("warmer", false)`)
	want := "[display_data] ELA (m) = 3000 (slider from 2500 to 3500)\n[display_data] [ ] warmer\n"
	if out != want {
		t.Fatalf("the widget cell showed %q, want %q", out, want)
	}
	var o outputs
	reply, err := k.ExecuteRequest(ctx, protocol.ExecuteRequestContent{
		Code:    `fmt.Println(ela.Value(), ela.Int()+1, warm.Value())`,
		Widgets: map[string]any{"ELA (m)": 3120, "warmer": true},
	}, o.add)
	if err != nil || reply.Status != "ok" {
		t.Fatalf("reply %+v, %v: %s", reply, err, o.text())
	}
	if got := o.text(); got != "3120 3121 true\n" {
		t.Errorf("the reading cell printed %q, want the reader's values", got)
	}
	// The values stay with the kernel for the next cells, as in the page.
	if _, out := run(t, ctx, k, `ela`); !strings.Contains(out, "ELA (m) = 3120") {
		t.Errorf("the slider as a value shows %q", out)
	}
	// A bad control is the error of its cell, naming it.
	reply, out = run(t, ctx, k, `display.Slider("ELA (m)", 3500, 2500, 10, 3000)`)
	if reply.Status != "error" || !strings.Contains(out, `display.Slider("ELA (m)"): min 3500 is not below max 2500`) {
		t.Errorf("bad slider: %+v %q", reply, out)
	}
}

// TestKernelLiveFigures: a run the page makes while a widget moves
// (firn_live) gets a figure as SVG only, without the PNG that takes most
// of its rendering; other runs get both.
func TestKernelLiveFigures(t *testing.T) {
	k, ctx := startKernel(t, Options{})
	run(t, ctx, k, "g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))\ng.ProgressToYear(50)")
	for _, live := range []bool{true, false} {
		var got map[string]any
		reply, err := k.ExecuteRequest(ctx, protocol.ExecuteRequestContent{Code: "plots.Glacier(g)", Live: live}, func(m *protocol.Message) {
			if m.Type() == protocol.ExecuteResult {
				var c protocol.ExecuteResultContent
				_ = m.Decode(&c)
				got = c.Data
			}
		})
		if err != nil || reply.Status != "ok" {
			t.Fatalf("live %v: %+v %v", live, reply, err)
		}
		_, svg := got["image/svg+xml"]
		_, png := got["image/png"]
		if !svg || png == live {
			t.Errorf("live %v: the figure's MIME types %v", live, keys(got))
		}
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
