package sanitize_test

import (
	"fmt"

	"github.com/firnglacier/firn/internal/sanitize"
)

func Example() {
	fmt.Println(sanitize.HTML(`<p onclick="steal()" style="position:fixed;color:red">ELA <b>2900 m</b></p><img src="http://remote.invalid/t.png"><p>ok</p>`))
	svg, err := sanitize.SVG(`<svg width="10" height="5"><script>alert(1)</script><rect width="10" height="5" fill="url(http://remote.invalid/p)"/></svg>`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(svg.SVG, svg.Width, svg.Height)
	// Output:
	// <p style="color: red">ELA <b>2900 m</b></p> <p>ok</p>
	// <svg width="10" height="5" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><rect width="10" height="5"/></svg> 10 5
}
