package examples

import (
	"slices"
	"strings"
	"testing"

	"github.com/firnglacier/firn/kernel/reactive"
	"github.com/firnglacier/firn/notebooks"
)

// reactiveLessons are the lessons written as reactive notebooks.
var reactiveLessons = []string{"08-welcome-tour.ipynb", "09-ice-on-an-incline.ipynb",
	"10-flowline-model-explained.ipynb", "11-low-pass-climate-response.ipynb"}

// Every lesson whose metadata asks for reactive execution builds a
// dependency graph without problems: no name defined by two cells, no
// cycle, no cell that cannot be read (kernel/reactive), so `firn run`
// and a reactive notebook can run it.
func TestReactiveLessonsHaveNoProblems(t *testing.T) {
	var found []string
	for _, l := range List() {
		nb, err := Read(l.File)
		if err != nil {
			t.Fatal(err)
		}
		firn, _ := nb.Metadata["firn"].(map[string]any)
		if on, _ := firn["reactive"].(bool); !on {
			continue
		}
		found = append(found, l.File)
		var cells []reactive.Cell
		for _, c := range nb.Cells {
			if c.Type == notebooks.Code {
				cells = append(cells, reactive.Cell{ID: c.ID, Source: c.Source})
			}
		}
		g := reactive.Build(cells)
		for _, p := range g.Problems() {
			t.Errorf("%s: %v", l.File, p)
		}
		if _, err := g.Order(); err != nil {
			t.Errorf("%s: %v", l.File, err)
		}
	}
	for _, want := range reactiveLessons {
		if !slices.Contains(found, want) {
			t.Errorf("%s is not marked reactive (metadata.firn.reactive: true)", want)
		}
	}
}

// Every lesson has exercises: a Markdown cell with the heading
// "## Exercises" followed by at least three numbered items.
func TestLessonsHaveExercises(t *testing.T) {
	for _, l := range List() {
		nb, err := Read(l.File)
		if err != nil {
			t.Fatal(err)
		}
		ok := false
		for _, c := range nb.Cells {
			if c.Type != notebooks.Markdown {
				continue
			}
			if _, rest, found := strings.Cut("\n"+c.Source, "\n## Exercises\n"); found &&
				strings.Contains(rest, "\n1. ") && strings.Contains(rest, "\n3. ") {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s has no exercises (a Markdown heading \"## Exercises\", items 1 to 3 at least)", l.File)
		}
	}
}

// The tour links every lesson, so that a lesson added later is added to
// its table too.
func TestTourListsEveryLesson(t *testing.T) {
	nb, err := Read("08-welcome-tour.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, c := range nb.Cells {
		if c.Type == notebooks.Markdown {
			text.WriteString(c.Source)
		}
	}
	for _, l := range List() {
		if !strings.Contains(text.String(), "]("+l.File+")") {
			t.Errorf("the tour does not link %s", l.File)
		}
	}
}

// Figures that a lesson's text states are those its cells print: each
// appears in a Markdown cell and in the stored output of a code cell.
// After a change of the engine, a failure here names the text to update.
func TestStatedFiguresComeFromOutputs(t *testing.T) {
	stated := map[string][]string{
		"09-ice-on-an-incline.ipynb": {"0.800 × surface speed", "1.4 % of the fastest"},
		"10-flowline-model-explained.ipynb": {"986.92 million m³", "987.80 million m³", "residual 0.0 m³",
			"peaks at 6.1 km", "surface is at 3000 m"},
		"11-low-pass-climate-response.ipynb": {"0.50 K", "0.07 K", "from 11.3 to 11.8 km", "0.0091 km³", "0.0019 km³",
			"response time 36 years", "τ = 71 years", "1.8 %", "1.4 %", "| 20 | 0.0037 | 0.03 |", "| 400 | 0.0938 | 0.74 | 0.67 |", "| 200 | 0.0516 | 0.41 | 0.41 |"},
	}
	// How a figure of an output reads in the text, where it differs.
	inText := map[string]string{
		"0.800 × surface speed": "four fifths", "1.4 % of the fastest": "1.4 % of the fastest",
		"986.92 million m³": "986.92 million m³", "residual 0.0 m³": "residual is 0.0 m³",
		"peaks at 6.1 km": "6.1 km from the top", "surface is at 3000 m": "surface is at 3000 m",
		"from 11.3 to 11.8 km": "between 11.3 and 11.8 km", "response time 36 years": "36 years", "τ = 71 years": "71",
		"| 20 | 0.0037 | 0.03 |": "0.03 for 20 years", "| 400 | 0.0938 | 0.74 | 0.67 |": "0.74 for 400",
		"| 200 | 0.0516 | 0.41 | 0.41 |": "0.41 for both",
	}
	for file, figures := range stated {
		nb, err := Read(file)
		if err != nil {
			t.Fatal(err)
		}
		var text, out strings.Builder
		for _, c := range nb.Cells {
			if c.Type == notebooks.Markdown {
				text.WriteString(c.Source + "\n")
			}
			for _, o := range c.Outputs {
				out.WriteString(o.Text + "\n")
				for _, mime := range []string{"text/plain", "text/markdown"} {
					if s, ok := o.Data[mime].(string); ok {
						out.WriteString(s + "\n")
					}
				}
			}
		}
		for _, f := range figures {
			if !strings.Contains(out.String(), f) {
				t.Errorf("%s: no output shows %q", file, f)
			}
			want := f
			if w, ok := inText[f]; ok {
				want = w
			}
			if !strings.Contains(text.String(), want) {
				t.Errorf("%s: the text does not state %q (the output shows %q)", file, want, f)
			}
		}
	}
}
