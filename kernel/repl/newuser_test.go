package repl

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestTmuxNewUserGlacier is the kernel issue's acceptance scenario, typed
// into `firn repl` in a terminal: build an idealized glacier, run it 300
// years, print its volume, write a plot, interrupt an endless loop and
// carry on with the same glacier.
func TestTmuxNewUserGlacier(t *testing.T) {
	bin := firnBinary(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("the terminal tests need tmux (apt-get install tmux)")
	}
	home, work := t.TempDir(), t.TempDir()
	x := startTmux(t, work, userEnv(home), bin+" repl")
	x.waitFor("banner and prompt", func(lines []string) bool { return lastLine(lines) == bare })

	x.enter("g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))")
	x.enter("g.ProgressToYear(300)")
	x.enter("g.Year()")
	x.waitOutput("g.Year()", equals("300"), "year 300")

	// the volume is a plausible number of km³ (the engine's own tests
	// check the physics; this checks that it reaches the terminal)
	x.enter("g.Diagnostics().Volume / 1e9")
	var volume float64
	x.waitOutput("g.Diagnostics().Volume / 1e9", func(l string) bool {
		v, err := strconv.ParseFloat(strings.TrimSpace(l), 64)
		volume = v
		return err == nil
	}, "the volume in km³")
	if !(volume > 0.01 && volume < 10) {
		t.Errorf("volume %g km³ after 300 years, want a mountain glacier's (0.01 to 10)", volume)
	}

	// the plot is written to a file whose path is printed
	x.enter("plots.Glacier(g)")
	var path string
	x.waitOutput("plots.Glacier(g)", func(l string) bool {
		p, ok := strings.CutPrefix(strings.TrimSpace(l), "plot written to ")
		path = p
		return ok
	}, "the plot's path")
	if !filepath.IsAbs(path) {
		path = filepath.Join(work, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the printed plot path: %v", err)
	}
	if !strings.HasPrefix(string(b), "\x89PNG") || len(b) < 5000 {
		t.Errorf("%s is not a drawn PNG (%d bytes)", path, len(b))
	}

	// an endless loop stops on Ctrl-C. The Ctrl-C comes once the loop
	// runs, which its own output shows. The screen's new line after Enter
	// comes before the REPL has started the cell: a Ctrl-C then was
	// ignored as one at the prompt (under load the test pressed it there
	// and waited for an interruption that could not come; TestSignalAfterEnter
	// covers that window now), and one before the line editor has given
	// the terminal back is a key no one reads.
	loop := `fmt.Println("looping"); for {}`
	x.enter(loop)
	x.waitFor("the loop's first output", func(lines []string) bool {
		rest, ok := after(lines, prompt+loop)
		return ok && len(rest) > 0 && strings.TrimSpace(rest[0]) == "looping"
	})
	x.press("C-c")
	x.waitOutput(loop, func(l string) bool { return strings.Contains(l, "interrupted") }, "interruption message")

	// the same glacier carries on
	x.enter("g.ProgressToYear(310)")
	x.enter("g.Year()")
	x.waitOutput("g.Year()", equals("310"), "year 310 (g survived the interrupt)")
	if strings.Contains(x.screen(), "restart") {
		t.Errorf("the kernel was restarted; the interrupt should have kept it:\n%s", x.screen())
	}
	x.press("C-d")
	if status := x.exitStatus(); status != "0" {
		t.Errorf("firn repl exited with status %s, want 0", status)
	}
}
