package symbols

import (
	"bytes"
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/traefik/yaegi/interp"
)

// cell is an interpreter as the kernel sets it up, with what cells print.
type cell struct {
	t   *testing.T
	i   *interp.Interpreter
	out bytes.Buffer
}

// newCell returns an interpreter with Stdlib(workspace, trusted) and Firn.
func newCell(t *testing.T, workspace string, trusted bool) *cell {
	t.Helper()
	std, err := Stdlib(workspace, trusted)
	if err != nil {
		t.Fatalf("Stdlib: %v", err)
	}
	c := &cell{t: t}
	c.i = interp.New(interp.Options{Stdout: &c.out, Stderr: &c.out, Unrestricted: trusted})
	// Firn before Stdlib, whose plots table in the sandbox confines
	// figures to the workspace.
	if err := c.i.Use(Firn()); err != nil {
		t.Fatalf("Use(Firn): %v", err)
	}
	if err := c.i.Use(std); err != nil {
		t.Fatalf("Use(Stdlib): %v", err)
	}
	return c
}

// eval runs src as a cell and returns its value and error, passed
// through Explain as the kernel does.
func (c *cell) eval(src string) (reflect.Value, error) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	v, err := c.i.EvalWithContext(ctx, src)
	return v, Explain(err)
}

// must runs src and fails the test on an error.
func (c *cell) must(src string) reflect.Value {
	c.t.Helper()
	v, err := c.eval(src)
	if err != nil {
		c.t.Fatalf("cell %q: %v", src, err)
	}
	return v
}

// cellError runs src, an expression of type error, and returns its value.
func (c *cell) cellError(src string) error {
	c.t.Helper()
	v := c.must(src)
	if !v.IsValid() {
		return nil
	}
	if v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	err, ok := v.Interface().(error)
	if !ok {
		c.t.Fatalf("cell %q gave %v (%s), want an error", src, v, v.Type())
	}
	return err
}
