package compute

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/firnglacier/firn/engine/dynamics"
)

// codecResults are 64 results of 100-year runs (a chunk's), as a worker
// publishes them.
func codecResults(t testing.TB) []Result {
	var rs []Result
	for i := range 64 {
		data := fmt.Appendf(nil, `{"flowlines": [{"name": "main", "dx_m": 100, "bed": {"top_m": 3000, "bottom_m": 1000, "points": 100}, "width_m": 300}],
 "mass_balance": {"type": "linear", "ela_m": %g, "gradient_mm_we_per_m": 3}, "years": {"end": 100}}`, 2400+float64(i%40)*10)
		h, err := RunTask(context.Background(), Task{Name: "x.json", Data: data})
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, Result{TaskID: fmt.Sprint(i), Name: fmt.Sprintf("run%d.json", i), History: h, Attempts: 1, Worker: "node1:123"})
	}
	return rs
}

// TestResultCodec: what a worker encodes the pool reads back bit for
// bit: histories (with profiles, NaN and −0 included), errors, notebook
// outputs, non-ASCII names; and a results message stored by an earlier
// version (JSON) is still read.
func TestResultCodec(t *testing.T) {
	withProfiles := &dynamics.History{Year: []float64{0, 1}, Volume: []float64{0, 1.5e9}, Area: []float64{math.Copysign(0, -1), 3e6}, Length: []float64{math.NaN(), 4100},
		Thickness: [][]float64{{0, 1, 2}, {3, 4}}, Surface: [][]float64{{2000}}, Velocity: [][]float64{}}
	cases := []struct {
		name string
		rs   []Result
	}{
		{"none", []Result{}},
		{"a chunk of 100-year runs", codecResults(t)},
		{"profiles and odd numbers", []Result{{TaskID: "a", Name: "glacier ø.json", History: withProfiles, Attempts: 2, Worker: "w"}}},
		{"failed and notebook", []Result{
			{TaskID: "b", Name: "bad.json", Err: "bad.json: line 3: unknown key \"ela\"", Attempts: 3, Worker: "w"},
			{TaskID: "c", Name: "nb.ipynb", Output: []byte(`{"cells": []}`), Attempts: 1, Worker: "w"},
			{TaskID: "d", Name: "empty history", History: &dynamics.History{}, Attempts: 1},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := encodeResults(nil, c.rs)
			got, err := DecodeResults(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.rs) {
				t.Fatalf("%d results back, want %d", len(got), len(c.rs))
			}
			for i := range got {
				if msg := sameResult(got[i], c.rs[i]); msg != "" {
					t.Errorf("result %d: %s", i, msg)
				}
			}
			// One by one, as publish joins them.
			var each [][]byte
			for _, r := range c.rs {
				each = append(each, encodeResult(nil, r))
			}
			if joined := joinResults(each); !bytes.Equal(joined, data) {
				t.Errorf("joinResults differs from encodeResults")
			}
		})
	}
	t.Run("earlier versions' JSON", func(t *testing.T) {
		rs := codecResults(t)[:3]
		rs[1] = Result{TaskID: "1", Name: "bad.json", Err: "boom", Attempts: 3}
		data, err := json.Marshal(rs)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeResults(data)
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if msg := sameResult(got[i], rs[i]); msg != "" {
				t.Errorf("result %d: %s", i, msg)
			}
		}
	})
}

// sameResult says how a differs from b ("" if in nothing), comparing
// floats bit for bit.
func sameResult(a, b Result) string {
	ha, hb := a.History, b.History
	a.History, b.History = nil, nil
	if !reflect.DeepEqual(a, b) {
		return fmt.Sprintf("%+v, want %+v", a, b)
	}
	if (ha == nil) != (hb == nil) {
		return fmt.Sprintf("history %v, want %v", ha, hb)
	}
	if ha == nil {
		return ""
	}
	bits := func(v []float64) []uint64 {
		out := make([]uint64, len(v))
		for i, x := range v {
			out[i] = math.Float64bits(x)
		}
		return out
	}
	cols := [][2][]float64{{ha.Year, hb.Year}, {ha.Volume, hb.Volume}, {ha.Area, hb.Area}, {ha.Length, hb.Length}}
	for _, tb := range [][2][][]float64{{ha.Thickness, hb.Thickness}, {ha.Surface, hb.Surface}, {ha.Velocity, hb.Velocity}} {
		if len(tb[0]) != len(tb[1]) {
			return fmt.Sprintf("profile of %d rows, want %d", len(tb[0]), len(tb[1]))
		}
		for i := range tb[0] {
			cols = append(cols, [2][]float64{tb[0][i], tb[1][i]})
		}
	}
	for i, c := range cols {
		if !reflect.DeepEqual(bits(c[0]), bits(c[1])) {
			return fmt.Sprintf("column %d: %v, want %v", i, c[0], c[1])
		}
	}
	return ""
}

// TestResultCodecRefuses: a damaged message is an error that says where,
// never a panic or a short list read as whole.
func TestResultCodecRefuses(t *testing.T) {
	good := encodeResults(nil, codecResults(t)[:2])
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a results message"},
		{"another format", []byte("GIF89a..."), `starts "GIF8"`},
		{"cut in a string", good[:10], "ends early"},
		{"cut in a history", good[:len(good)/2], "ends early"},
		{"cut before the end", good[:len(good)-1], "ends early"},
		{"bytes after", append(append([]byte(nil), good...), 0), "1 bytes after its last result"},
		{"a count beyond the message", append([]byte(resultsMagic), 0xff, 0xff, 0xff, 0x7f), "ends early"},
		{"a history beyond the message", append(append([]byte(resultsMagic), 1, 0, 0, 0, 0, 1, 0), 0xff, 0xff, 0xff, 0x7f), "ends early"},
		{"a history of 2⁶⁴−1 records", append(append([]byte(resultsMagic), 1, 0, 0, 0, 0, 1, 0), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), "ends early"},
		{"broken JSON", []byte(`[{"task": 1`), "unexpected end of JSON"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rs, err := DecodeResults(c.data)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %d results and error %v, want one containing %q", len(rs), err, c.want)
			}
		})
	}
}

// BenchmarkResultCodec: encoding and decoding a chunk of 64 results of
// 100-year runs, per result, in the results message and, for comparison,
// as JSON (what it replaced) and gob.
//
//	go test -run '^$' -bench ResultCodec ./compute
func BenchmarkResultCodec(b *testing.B) {
	rs := codecResults(b)
	perResult := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rs))/1000, "µs/result")
		b.ReportMetric(0, "ns/op")
	}
	codecs := []struct {
		name string
		enc  func() []byte
		dec  func([]byte) error
	}{
		{"firn", func() []byte { return encodeResults(nil, rs) }, func(d []byte) error { _, err := DecodeResults(d); return err }},
		{"json", func() []byte { d, _ := json.Marshal(rs); return d }, func(d []byte) error { var out []Result; return json.Unmarshal(d, &out) }},
		{"gob", func() []byte {
			var buf bytes.Buffer
			_ = gob.NewEncoder(&buf).Encode(rs)
			return buf.Bytes()
		}, func(d []byte) error { var out []Result; return gob.NewDecoder(bytes.NewReader(d)).Decode(&out) }},
	}
	for _, c := range codecs {
		data := c.enc()
		b.Run(c.name+"/encode", func(b *testing.B) {
			for b.Loop() {
				c.enc()
			}
			perResult(b)
			b.ReportMetric(float64(len(data))/float64(len(rs)), "bytes/result")
		})
		b.Run(c.name+"/decode", func(b *testing.B) {
			for b.Loop() {
				if err := c.dec(data); err != nil {
					b.Fatal(err)
				}
			}
			perResult(b)
		})
	}
}
