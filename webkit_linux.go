//go:build desktop && linux

package main

// The WebKitGTK side of the window: its version, and the repair of the
// signal handlers that its JavaScript engine installs.
//
// Go requires every signal handler that non-Go code installs in its
// process to run on the alternate signal stack (SA_ONSTACK). JavaScriptCore,
// which WebKitGTK runs in the app's own process as well as in its web
// process, installs handlers for SIGSEGV, SIGBUS, SIGUSR1 (its garbage
// collector) and SIGXCPU without the flag, and does so lazily: when the
// app's process first uses JavaScript, about when the page starts, after
// Wails has repaired the handlers it knows of. A signal that such a handler
// passes on to Go's — a nil dereference in Go code on the main thread, as
// in Wails' menu code (see liveMenu), or any panic of that kind Go would
// recover from — then reaches Go on the wrong stack and kills the app with
// "fatal error: non-Go code set up signal handler without SA_ONSTACK flag".
//
// So once the main loop runs, fixSignalStacks starts JavaScriptCore
// itself (a throwaway context, one expression) on the main thread, where
// WebKit would, and right after that adds SA_ONSTACK to every handler
// that lacks it. When the page is ready, recheckSignalStacks checks again
// and logs both counts (TestDesktopNewNotebooks reads them).

/*
#cgo webkit2_41 pkg-config: javascriptcoregtk-4.1 glib-2.0
#cgo !webkit2_41 pkg-config: javascriptcoregtk-4.0 glib-2.0

#include <signal.h>
#include <glib.h>
#include <jsc/jsc.h>

extern unsigned int webkit_get_major_version(void);
extern unsigned int webkit_get_minor_version(void);
extern unsigned int webkit_get_micro_version(void);

// firn_onstack adds SA_ONSTACK to each installed handler (not the
// default action, not ignored) that lacks it, and returns how many it
// changed. Signals the C library reserves refuse sigaction: skipped.
static int firn_onstack(void) {
	int changed = 0;
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;
		if (sigaction(sig, NULL, &sa) != 0) {
			continue;
		}
		if (sa.sa_handler == SIG_DFL || sa.sa_handler == SIG_IGN || (sa.sa_flags & SA_ONSTACK) != 0) {
			continue;
		}
		sa.sa_flags |= SA_ONSTACK;
		if (sigaction(sig, &sa, NULL) == 0) {
			changed++;
		}
	}
	return changed;
}

static volatile int firn_onstack_started = -1;

// firn_start_jsc runs on the main loop: JavaScriptCore's lazy start
// (which installs its handlers), then the repair.
static gboolean firn_start_jsc(gpointer unused) {
	JSCContext *ctx = jsc_context_new();
	JSCValue *v = jsc_context_evaluate(ctx, "0", -1);
	g_object_unref(v);
	g_object_unref(ctx);
	firn_onstack_started = firn_onstack();
	return G_SOURCE_REMOVE;
}

static int firn_onstack_at_start(void) { return firn_onstack_started; }

static void firn_schedule_jsc(void) {
	g_idle_add(firn_start_jsc, NULL);
}
*/
import "C"

import (
	"context"
	"fmt"
	"log/slog"
)

// liveMenu: Wails v2 (up to 2.13 at least) cannot replace the menu of a
// shown window on Linux. MenuSetApplicationMenu builds a new GTK menu bar
// that it never shows and forgets the items of the one shown, whose next
// click or shortcut (Ctrl+N…) then dereferences nil in Wails' own click
// handler; with WebKit's handlers the process died of the signal-stack
// error instead. So the Linux menu is built once: "Open recent" lists the
// notebooks of the start.
const liveMenu = false

// webkitVersion is the version of the WebKitGTK the app runs on.
func webkitVersion() string {
	return fmt.Sprintf("WebKitGTK %d.%d.%d", C.webkit_get_major_version(), C.webkit_get_minor_version(), C.webkit_get_micro_version())
}

// fixSignalStacks schedules, on the GTK main loop, JavaScriptCore's start
// and the repair of the signal handlers (see the top of this file). Call
// it once the window exists (Wails' OnStartup).
func fixSignalStacks() { C.firn_schedule_jsc() }

// recheckSignalStacks repairs handlers installed since fixSignalStacks
// and logs how many it repaired then and now (-1: not yet run).
func recheckSignalStacks(logger *slog.Logger) {
	now, start := int(C.firn_onstack()), int(C.firn_onstack_at_start())
	level := slog.LevelInfo
	if now > 0 {
		level = slog.LevelWarn
	}
	logger.Log(context.Background(), level, "signal handlers without SA_ONSTACK repaired", "start", start, "now", now)
}
