//go:build desktop && linux

package main

// The symbols come from the WebKitGTK library that Wails links.

/*
extern unsigned int webkit_get_major_version(void);
extern unsigned int webkit_get_minor_version(void);
extern unsigned int webkit_get_micro_version(void);
*/
import "C"

import "fmt"

// webkitVersion is the version of the WebKitGTK the app runs on.
func webkitVersion() string {
	return fmt.Sprintf("WebKitGTK %d.%d.%d", C.webkit_get_major_version(), C.webkit_get_minor_version(), C.webkit_get_micro_version())
}
