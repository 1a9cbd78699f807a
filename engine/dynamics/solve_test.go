package dynamics

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/lapack/gonum"
)

// TestSolveTridiagonal checks the twisted Thomas solver against gonum's
// LAPACK Dgtsv on random strictly diagonally dominant systems of every
// size from 1 to 40 (even and odd sizes meet in the middle differently),
// and so its factoring form (factorTridiagonal) and a second right-hand
// side solved with the factors it keeps (solveFactored).
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
			rhs2 := make([]float64, n)
			for i := range n {
				rhs2[i] = rng.NormFloat64() * 100
			}
			// Dgtsv's sub-diagonal is lower[1:].
			dl, d, du, want := append([]float64(nil), lower[1:]...), append([]float64(nil), diag...), append([]float64(nil), upper[:max(n-1, 0)]...), append([]float64(nil), rhs...)
			if !(gonum.Implementation{}).Dgtsv(n, 1, dl, d, du, want, 1) {
				t.Fatal("Dgtsv failed")
			}
			dl, d, du, want2 := append([]float64(nil), lower[1:]...), append([]float64(nil), diag...), append([]float64(nil), upper[:max(n-1, 0)]...), append([]float64(nil), rhs2...)
			if !(gonum.Implementation{}).Dgtsv(n, 1, dl, d, du, want2, 1) {
				t.Fatal("Dgtsv failed")
			}
			check := func(what string, got, want []float64) {
				t.Helper()
				for i := range n {
					if math.Abs(got[i]-want[i]) > 1e-12*(1+math.Abs(want[i])) {
						t.Fatalf("%s, n=%d row %d: got %.17g, Dgtsv %.17g", what, n, i, got[i], want[i])
					}
				}
			}
			got := append([]float64(nil), rhs...)
			solveTridiagonal(lower, diag, upper, got, make([]float64, n))
			check("solveTridiagonal", got, want)
			got = append([]float64(nil), rhs...)
			inv, c := append([]float64(nil), diag...), make([]float64, n)
			factorTridiagonal(lower, inv, upper, got, c)
			check("factorTridiagonal", got, want)
			got = append([]float64(nil), rhs2...)
			solveFactored(lower, inv, upper, got, c)
			check("solveFactored", got, want2)
		}
	}
}
