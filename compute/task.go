package compute

import (
	"context"
	"fmt"

	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/experiment"
)

// A Task is one engine run: an experiment file (the experiment-file
// contract of engine/experiment) and how often to record its diagnostics.
type Task struct {
	// ID is unique within a job; results are keyed by it, so a task
	// that runs twice (a redelivered chunk) is counted once.
	ID string `json:"id"`
	// Name is the experiment file's name (its path, as the user gave
	// it); errors name it.
	Name string `json:"name"`
	// Data is the experiment file's content, JSON or YAML.
	Data []byte `json:"data"`
	// Every records the diagnostics every Every years; 0 takes the
	// experiment's years.every (as firn model run does).
	Every int `json:"every,omitempty"`
	// Label names the run in plots (Ensemble.Labels); "" is Name.
	Label string `json:"label,omitempty"`
	// Kind is what Data is: "" an experiment file, KindNotebook a
	// notebook (.ipynb) that the worker runs with Params injected after
	// its parameters cell (`firn run --grid`).
	Kind string `json:"kind,omitempty"`
	// Params are a notebook task's parameters, NAME → value as on firn
	// run's command line (-p NAME=VALUE).
	Params map[string]string `json:"params,omitempty"`
	// Dir is the folder a notebook task's kernel runs in when the worker
	// has it (its files beside the notebook, on a shared file system);
	// otherwise a temporary one.
	Dir string `json:"dir,omitempty"`
}

// KindNotebook is the Kind of a notebook task.
const KindNotebook = "notebook"

// A Result is what a task gave: the yearly diagnostics of its run, or
// the error of its last attempt.
type Result struct {
	TaskID string `json:"task"`
	Name   string `json:"name"`
	// History holds the recorded years: year, volume (m³), area (m²)
	// and length (m), as dynamics.History (without profiles).
	History *dynamics.History `json:"history,omitempty"`
	// Err is the error of the last attempt, "" when the run succeeded.
	Err string `json:"error,omitempty"`
	// Attempts is how many times the task's chunk was delivered.
	Attempts int `json:"attempts"`
	// Worker names the worker that produced the result.
	Worker string `json:"worker"`
	// Output is a notebook task's executed notebook (.ipynb), also when
	// a cell failed (Err then names it).
	Output []byte `json:"output,omitempty"`
}

// Failed reports whether the task ended without a history.
func (r Result) Failed() bool { return r.Err != "" }

// RunTask runs one task in this process: it parses the experiment file,
// builds the model and runs it to the experiment's end year, recording
// as firn model run does. Errors name the experiment file (and, for a
// bad file, its line and key).
func RunTask(ctx context.Context, t Task) (*dynamics.History, error) {
	spec, err := experiment.Parse(t.Data, t.Name)
	if err != nil {
		return nil, err
	}
	every := t.Every
	if every <= 0 {
		every = int(spec.Years.Every)
	}
	m, err := spec.Model()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Name, err)
	}
	h, err := m.Run(ctx, dynamics.RunOptions{EndYear: spec.Years.End, Every: every})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Name, err)
	}
	return h, nil
}

// chunk is the message of the task stream: several tasks of one job that
// one worker runs in a row, so that a run of a millisecond does not pay a
// trip through the broker.
type chunk struct {
	Job   string `json:"job"`
	ID    string `json:"id"`
	Tasks []Task `json:"tasks"`
	// Attempts bounds the deliveries of the chunk: a task that fails on
	// the last one is reported failed with its error.
	Attempts int `json:"attempts"`
}

// maxChunkBytes bounds a chunk's experiment data, well below NATS'
// default message limit of 1 MiB.
const maxChunkBytes = 512 << 10

// chunks splits tasks into chunks of at most size tasks and
// maxChunkBytes of data, in order.
func chunks(job string, tasks []Task, size, attempts int) []chunk {
	var out []chunk
	var cur []Task
	bytes := 0
	flush := func() {
		if len(cur) > 0 {
			out = append(out, chunk{Job: job, ID: fmt.Sprintf("%s.%d", job, len(out)), Tasks: cur, Attempts: attempts})
			cur, bytes = nil, 0
		}
	}
	for _, t := range tasks {
		if len(cur) >= size || (len(cur) > 0 && bytes+len(t.Data) > maxChunkBytes) {
			flush()
		}
		cur = append(cur, t)
		bytes += len(t.Data)
	}
	flush()
	return out
}
