package cellsrc

import (
	"sort"
	"strings"
)

// An edit replaces cell[start:end] with text; start == end inserts text.
// Offsets are bytes into the cell's source. Edits never add or remove a
// newline, so line numbers survive every rewrite.
type edit struct {
	start, end int
	text       string
}

// edits is a set of non-overlapping edits kept sorted by start, then end
// (an insertion sorts before a replacement at the same offset), then by the
// order they were added.
type edits struct {
	list []edit
}

// inside reports whether x lies within [start, end) of a replacement, so a
// replacement of that range absorbs it. Insertions exactly at either end of
// the range belong to the surrounding code, not to the range.
func inside(x edit, start, end int) bool {
	if x.start == x.end && (x.start == start || x.start == end) {
		return false
	}
	return start <= x.start && x.end <= end
}

// disjoint reports whether x and [start, end) do not touch.
func disjoint(x edit, start, end int) bool {
	if start == end { // an insertion only conflicts with a replacement around it
		return !(x.start < start && start < x.end)
	}
	return x.end <= start || x.start >= end
}

// canAdd reports whether a replacement of [start, end) can be recorded.
func (e *edits) canAdd(start, end int) bool {
	for _, x := range e.list {
		if !disjoint(x, start, end) && !(start < end && inside(x, start, end)) {
			return false
		}
	}
	return true
}

// add records that cell[start:end] becomes text. Edits inside a non-empty
// range are dropped: text must already carry them (see render). add reports
// false, and changes nothing, when the range partly overlaps an edit.
func (e *edits) add(start, end int, text string) bool {
	if !e.canAdd(start, end) {
		return false
	}
	kept := e.list[:0]
	for _, x := range e.list {
		if start < end && inside(x, start, end) {
			continue
		}
		kept = append(kept, x)
	}
	e.list = append(kept, edit{start, end, text})
	sort.SliceStable(e.list, func(a, b int) bool {
		if e.list[a].start != e.list[b].start {
			return e.list[a].start < e.list[b].start
		}
		return e.list[a].end < e.list[b].end
	})
	return true
}

// render returns src[start:end] with the edits inside the range applied.
func (e *edits) render(src string, start, end int) string {
	var b strings.Builder
	at := start
	for _, x := range e.list {
		if !inside(x, start, end) || x.start < at {
			continue
		}
		b.WriteString(src[at:x.start])
		b.WriteString(x.text)
		at = x.end
	}
	b.WriteString(src[at:end])
	return b.String()
}

// offsetMap maps byte offsets in a chunk's text back to the cell. It holds
// the edits applied to the chunk, in order.
type offsetMap []edit

// cellOffset returns the cell offset of off, an offset in the chunk's text.
// An offset inside replaced or inserted text maps to where that text starts.
func (m offsetMap) cellOffset(off int) int {
	delta := 0 // chunk offset minus cell offset so far
	for _, x := range m {
		newStart := x.start + delta
		newEnd := newStart + len(x.text)
		if off < newStart {
			break
		}
		if off < newEnd {
			return x.start
		}
		delta += len(x.text) - (x.end - x.start)
	}
	return off - delta
}
