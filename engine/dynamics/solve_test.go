package dynamics

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/lapack/gonum"
)

// TestSolveTridiagonal checks the twisted Thomas solver against gonum's
// LAPACK Dgtsv on random strictly diagonally dominant systems of every
// size from 1 to 40 (even and odd sizes meet in the middle differently).
func TestSolveTridiagonal(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 40; n++ {
		for trial := 0; trial < 5; trial++ {
			lower, diag, upper, rhs := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range n {
				if i > 0 {
					lower[i] = -rng.Float64()
				}
				if i < n-1 {
					upper[i] = -rng.Float64()
				}
				diag[i] = 1 + math.Abs(lower[i]) + math.Abs(upper[i]) + rng.Float64()
				rhs[i] = rng.NormFloat64() * 100
			}
			// Dgtsv's sub-diagonal is lower[1:].
			dl, d, du, want := append([]float64(nil), lower[1:]...), append([]float64(nil), diag...), append([]float64(nil), upper[:max(n-1, 0)]...), append([]float64(nil), rhs...)
			if !(gonum.Implementation{}).Dgtsv(n, 1, dl, d, du, want, 1) {
				t.Fatal("Dgtsv failed")
			}
			got := append([]float64(nil), rhs...)
			solveTridiagonal(lower, diag, upper, got, make([]float64, n))
			for i := range n {
				if math.Abs(got[i]-want[i]) > 1e-12*(1+math.Abs(want[i])) {
					t.Fatalf("n=%d row %d: got %.17g, Dgtsv %.17g", n, i, got[i], want[i])
				}
			}
		}
	}
}
