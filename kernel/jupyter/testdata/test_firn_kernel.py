"""Jupyter's conformance suite (jupyter_kernel_test) for the Firn kernel.

Run by TestJupyterKernelTest (jupyter_tools_test.go) with Debian's
/usr/bin/python3, a fresh HOME and a Jupyter data folder that holds the
kernelspec "firn". Every test of the suite that applies to Go is filled
in; the two left empty do not apply: Firn has no pager payloads (Go has
no `?` help that pages) and no clear_output.
"""

import unittest

import jupyter_kernel_test


class FirnKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "firn"
    language_name = "go"
    file_extension = ".go"

    code_hello_world = 'fmt.Println("hello, world")'
    code_stderr = 'fmt.Fprintln(os.Stderr, "to stderr")'

    completion_samples = [
        {"text": "strings.ToUp", "matches": {"ToUpper", "ToUpperSpecial"}},
        {"text": "fmt.Sprin", "matches": {"Sprint", "Sprintf", "Sprintln"}},
    ]

    complete_code_samples = [
        "1 + 1",
        "x := 1",
        "func f() int { return 1 }",
        "for i := 0; i < 3; i++ {\n\tfmt.Println(i)\n}",
        "// just a comment",
    ]
    incomplete_code_samples = [
        "func f() {",
        "xs := []int{1,",
        'fmt.Println("a",',
        "x := 1 +",
        "s := `raw",
    ]
    invalid_code_samples = [
        "x := )",
        "}",
        "x := := 1",
    ]

    code_generate_error = 'panic("boom")'

    code_execute_result = [
        {"code": "1+2", "result": "3"},
        {"code": '"gla" + "cier"', "result": '"glacier"'},
        {"code": "3.5 * 2", "result": "7"},
    ]

    code_display_data = [
        {"code": 'display.Show(display.HTML("<b>ice</b>"))', "mime": "text/html"},
        {"code": 'display.Show(display.Markdown("**firn**"))', "mime": "text/markdown"},
    ]

    code_history_pattern = "1?2"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "strings.ToUpper"


if __name__ == "__main__":
    unittest.main()
