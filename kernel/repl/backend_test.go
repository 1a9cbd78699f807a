package repl

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"image"
	"image/color"
	"image/png"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/firnglacier/firn/kernel/protocol"
)

// calcKernel is a small Backend for the unit tests: it runs cells of
// constant Go expressions with go/constant, keeps variables and one-line
// functions between cells, prints with fmt.Println/Print, and knows a few
// extras: `for {}` runs until interrupted, plot() shows a PNG and an SVG,
// progress(n) shows a display updated n times, panic(v) fails.
// The end-to-end tests (tmux_test.go) use the real kernel instead.
type calcKernel struct {
	mu      sync.Mutex
	vars    map[string]constant.Value
	funcs   map[string]*ast.FuncDecl
	count   int
	stop    chan struct{} // closed by Interrupt while a loop runs
	looping chan struct{} // receives when a cell enters `for {}`
	session string
}

func newCalcKernel() *calcKernel {
	return &calcKernel{vars: map[string]constant.Value{}, funcs: map[string]*ast.FuncDecl{},
		looping: make(chan struct{}, 1), session: protocol.NewID()}
}

// cellRun is one execution in progress.
type cellRun struct {
	ctx    context.Context
	out    func(*protocol.Message)
	parent *protocol.Header
	k      *calcKernel
}

func (c *cellRun) publish(msgType string, content any) {
	m, err := protocol.New(c.k.session, protocol.IOPub, msgType, c.parent, content)
	if err != nil {
		panic(err)
	}
	c.out(m)
}

func (c *cellRun) stream(name, text string) {
	c.publish(protocol.Stream, protocol.StreamContent{Name: name, Text: text})
}

// cellError is a failure of a cell, published as an error message.
type cellError struct{ ename, evalue string }

func (e *cellError) Error() string { return e.ename + ": " + e.evalue }

func (k *calcKernel) Execute(ctx context.Context, code string, out func(*protocol.Message)) (protocol.ExecuteReplyContent, error) {
	k.mu.Lock()
	k.count++
	n := k.count
	k.stop = make(chan struct{})
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		k.stop = nil
		k.mu.Unlock()
	}()
	req := protocol.Header{MsgID: protocol.NewID(), MsgType: protocol.ExecuteRequest}
	c := &cellRun{ctx: ctx, out: out, parent: &req, k: k}
	c.publish(protocol.Status, protocol.StatusContent{ExecutionState: protocol.Busy})
	c.publish(protocol.ExecuteInput, protocol.ExecuteInputContent{Code: code, ExecutionCount: n})
	result, err := k.run(c, code)
	reply := protocol.ExecuteReplyContent{Status: "ok", ExecutionCount: n}
	if ctx.Err() != nil {
		return reply, ctx.Err()
	}
	if ce, ok := err.(*cellError); ok {
		tb := []string{ce.evalue, "cell " + fmt.Sprint(n)}
		c.publish(protocol.Error, protocol.ErrorContent{EName: ce.ename, EValue: ce.evalue, Traceback: tb})
		reply = protocol.ExecuteReplyContent{Status: "error", ExecutionCount: n, EName: ce.ename, EValue: ce.evalue, Traceback: tb}
	} else if result != "" {
		c.publish(protocol.ExecuteResult, protocol.ExecuteResultContent{ExecutionCount: n,
			Data: protocol.Bundle{"text/plain": result}, Metadata: map[string]any{}})
	}
	c.publish(protocol.Status, protocol.StatusContent{ExecutionState: protocol.Idle})
	return reply, nil
}

func (k *calcKernel) Interrupt() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.stop != nil {
		select {
		case <-k.stop:
		default:
			close(k.stop)
		}
	}
	return nil
}

func (k *calcKernel) stopChan() chan struct{} {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.stop
}

var calcNames = []string{"fmt.Print", "fmt.Printf", "fmt.Println", "fmt.Sprint", "plot", "progress"}

func (k *calcKernel) Complete(_ context.Context, code string, cursorPos int) (protocol.CompleteReplyContent, error) {
	runes := []rune(code)
	start := cursorPos
	for start > 0 && (isWordRune(runes[start-1]) || runes[start-1] == '.') {
		start--
	}
	word := string(runes[start:cursorPos])
	k.mu.Lock()
	names := append([]string(nil), calcNames...)
	for v := range k.vars {
		names = append(names, v)
	}
	for f := range k.funcs {
		names = append(names, f)
	}
	k.mu.Unlock()
	sort.Strings(names)
	var matches []string
	for _, n := range names {
		if word != "" && strings.HasPrefix(n, word) {
			matches = append(matches, n)
		}
	}
	return protocol.CompleteReplyContent{Status: "ok", Matches: matches, CursorStart: start, CursorEnd: cursorPos}, nil
}

// Inspect documents the calculator's variables ("var x = 40").
func (k *calcKernel) Inspect(_ context.Context, code string, cursorPos int) (protocol.InspectReplyContent, error) {
	runes := []rune(code)
	start, end := min(cursorPos, len(runes)), min(cursorPos, len(runes))
	for start > 0 && isWordRune(runes[start-1]) {
		start--
	}
	for end < len(runes) && isWordRune(runes[end]) {
		end++
	}
	name := string(runes[start:end])
	k.mu.Lock()
	v, ok := k.vars[name]
	k.mu.Unlock()
	if !ok {
		return protocol.InspectReplyContent{Status: "ok", Found: false, Data: protocol.Bundle{}}, nil
	}
	return protocol.InspectReplyContent{Status: "ok", Found: true, Data: protocol.Bundle{"text/plain": "var " + name + " = " + v.String() + "\n\nA calculator variable."}}, nil
}

func isWordRune(r rune) bool {
	return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// run parses code as declarations, or else as statements, and runs it.
// It returns the text of the last expression's value.
func (k *calcKernel) run(c *cellRun, code string) (string, error) {
	fset := token.NewFileSet()
	if f, err := parser.ParseFile(fset, "", "package p\n"+code, 0); err == nil {
		for _, d := range f.Decls {
			if err := k.declare(d); err != nil {
				return "", err
			}
		}
		return "", nil
	}
	f, err := parser.ParseFile(fset, "", "package p\nfunc _() {\n"+code+"\n}", 0)
	if err != nil {
		return "", &cellError{"SyntaxError", err.Error()}
	}
	stmts := f.Decls[0].(*ast.FuncDecl).Body.List
	result := ""
	for i, st := range stmts {
		r, err := k.stmt(c, st)
		if err != nil {
			return "", err
		}
		if i == len(stmts)-1 {
			result = r
		}
	}
	return result, nil
}

func (k *calcKernel) declare(d ast.Decl) error {
	switch d := d.(type) {
	case *ast.FuncDecl:
		k.mu.Lock()
		k.funcs[d.Name.Name] = d
		k.mu.Unlock()
	case *ast.GenDecl:
		for _, sp := range d.Specs {
			if vs, ok := sp.(*ast.ValueSpec); ok {
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						v, err := k.eval(vs.Values[i], nil)
						if err != nil {
							return err
						}
						k.setVar(name.Name, v)
					}
				}
			}
		}
	}
	return nil
}

func (k *calcKernel) setVar(name string, v constant.Value) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.vars[name] = v
}

// stmt runs one statement; an expression statement returns its value.
func (k *calcKernel) stmt(c *cellRun, st ast.Stmt) (string, error) {
	switch st := st.(type) {
	case *ast.AssignStmt:
		if len(st.Lhs) != 1 || len(st.Rhs) != 1 {
			return "", &cellError{"CompileError", "only single assignments"}
		}
		v, err := k.eval(st.Rhs[0], nil)
		if err != nil {
			return "", err
		}
		k.setVar(st.Lhs[0].(*ast.Ident).Name, v)
		return "", nil
	case *ast.ForStmt:
		select {
		case k.looping <- struct{}{}:
		default:
		}
		select {
		case <-k.stopChan():
			return "", &cellError{"Interrupted", "the cell was interrupted"}
		case <-c.ctx.Done():
			return "", c.ctx.Err()
		}
	case *ast.ExprStmt:
		if call, ok := st.X.(*ast.CallExpr); ok {
			if done, err := k.builtin(c, call); done || err != nil {
				return "", err
			}
		}
		v, err := k.eval(st.X, nil)
		if err != nil {
			return "", err
		}
		return v.String(), nil
	case *ast.DeclStmt:
		return "", k.declare(st.Decl)
	}
	return "", &cellError{"CompileError", fmt.Sprintf("unsupported statement %T", st)}
}

// builtin runs the calls with effects; it reports whether call was one.
func (k *calcKernel) builtin(c *cellRun, call *ast.CallExpr) (bool, error) {
	name := exprName(call.Fun)
	args := make([]string, len(call.Args))
	if name != "plot" {
		for i, a := range call.Args {
			v, err := k.eval(a, nil)
			if err != nil {
				return true, err
			}
			args[i] = valueText(v)
		}
	}
	switch name {
	case "fmt.Println":
		c.stream("stdout", strings.Join(args, " ")+"\n")
	case "fmt.Print":
		c.stream("stdout", strings.Join(args, ""))
	case "println":
		c.stream("stderr", strings.Join(args, " ")+"\n")
	case "panic":
		return true, &cellError{"panic", strings.Join(args, " ")}
	case "plot":
		c.publish(protocol.DisplayData, protocol.DisplayDataContent{Data: protocol.Bundle{
			"image/png":     base64.StdEncoding.EncodeToString(testPNG()),
			"image/svg+xml": `<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>`,
			"text/plain":    "<plot>",
		}, Metadata: map[string]any{}})
	case "progress":
		n := 0
		fmt.Sscan(args[0], &n)
		id := protocol.NewID()
		for i := 0; i <= n; i++ {
			t := protocol.DisplayData
			if i > 0 {
				t = protocol.UpdateDisplayData
			}
			c.publish(t, protocol.DisplayDataContent{Data: protocol.Bundle{"text/plain": fmt.Sprintf("progress %d/%d", i, n)},
				Transient: &protocol.Transient{DisplayID: id}})
		}
	default:
		return false, nil
	}
	return true, nil
}

func exprName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return exprName(e.X) + "." + e.Sel.Name
	}
	return ""
}

func valueText(v constant.Value) string {
	if v.Kind() == constant.String {
		return constant.StringVal(v)
	}
	return v.String()
}

// eval evaluates a constant expression; env holds a function's arguments.
func (k *calcKernel) eval(e ast.Expr, env map[string]constant.Value) (constant.Value, error) {
	switch e := e.(type) {
	case *ast.BasicLit:
		return constant.MakeFromLiteral(e.Value, e.Kind, 0), nil
	case *ast.ParenExpr:
		return k.eval(e.X, env)
	case *ast.Ident:
		if v, ok := env[e.Name]; ok {
			return v, nil
		}
		switch e.Name {
		case "true", "false":
			return constant.MakeBool(e.Name == "true"), nil
		}
		k.mu.Lock()
		v, ok := k.vars[e.Name]
		k.mu.Unlock()
		if !ok {
			return nil, &cellError{"CompileError", "undefined: " + e.Name}
		}
		return v, nil
	case *ast.UnaryExpr:
		x, err := k.eval(e.X, env)
		if err != nil {
			return nil, err
		}
		return constant.UnaryOp(e.Op, x, 0), nil
	case *ast.BinaryExpr:
		x, err := k.eval(e.X, env)
		if err != nil {
			return nil, err
		}
		y, err := k.eval(e.Y, env)
		if err != nil {
			return nil, err
		}
		switch e.Op {
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ:
			return constant.MakeBool(constant.Compare(x, e.Op, y)), nil
		case token.QUO:
			if x.Kind() == constant.Int && y.Kind() == constant.Int {
				if constant.Sign(y) == 0 {
					return nil, &cellError{"panic", "runtime error: integer divide by zero"}
				}
				return constant.BinaryOp(x, token.QUO_ASSIGN, y), nil
			}
		}
		return constant.BinaryOp(x, e.Op, y), nil
	case *ast.CallExpr:
		k.mu.Lock()
		fn := k.funcs[exprName(e.Fun)]
		k.mu.Unlock()
		if fn == nil || len(fn.Body.List) != 1 {
			return nil, &cellError{"CompileError", "undefined: " + exprName(e.Fun)}
		}
		ret, ok := fn.Body.List[0].(*ast.ReturnStmt)
		if !ok || len(ret.Results) != 1 {
			return nil, &cellError{"CompileError", exprName(e.Fun) + " is not a one-line function"}
		}
		args := map[string]constant.Value{}
		i := 0
		for _, field := range fn.Type.Params.List {
			for _, name := range field.Names {
				if i >= len(e.Args) {
					return nil, &cellError{"CompileError", "not enough arguments"}
				}
				v, err := k.eval(e.Args[i], env)
				if err != nil {
					return nil, err
				}
				args[name.Name] = v
				i++
			}
		}
		return k.eval(ret.Results[0], args)
	}
	return nil, &cellError{"CompileError", fmt.Sprintf("cannot evaluate %T", e)}
}

// testPNG is a 2×2 PNG.
func testPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	img.Set(1, 1, color.RGBA{B: 255, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func TestCalcKernel(t *testing.T) {
	k := newCalcKernel()
	var out strings.Builder
	collect := func(m *protocol.Message) {
		switch m.Type() {
		case protocol.Stream:
			var c protocol.StreamContent
			m.Decode(&c)
			out.WriteString(c.Text)
		case protocol.ExecuteResult:
			var c protocol.ExecuteResultContent
			m.Decode(&c)
			out.WriteString("=" + c.Data["text/plain"].(string) + "\n")
		case protocol.Error:
			var c protocol.ErrorContent
			m.Decode(&c)
			out.WriteString("!" + c.EName + "\n")
		}
	}
	for _, code := range []string{"x := 40", "x + 2", "func double(v int) int { return 2 * v }", "double(x) / 3", `fmt.Println("a", 1+1)`, "y", "7 / 2.0"} {
		if _, err := k.Execute(context.Background(), code, collect); err != nil {
			t.Fatal(err)
		}
	}
	want := "=42\n=26\na 2\n!CompileError\n=3.5\n"
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}
