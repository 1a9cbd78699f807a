"""The Firn kernel's control socket and its other requests, driven by
jupyter_client as Jupyter's frontends drive kernels.

Run by TestControlJupyterClient (jupyter_tools_test.go) with Debian's
/usr/bin/python3 and the kernelspec "firn" installed. Prints one line per
check; the Go test compares them.
"""

import jupyter_client

km, kc = jupyter_client.manager.start_new_kernel(kernel_name="firn")


def reply_to(msg_id, get=kc.get_shell_msg):
    r = get(timeout=60)
    assert r["parent_header"]["msg_id"] == msg_id, r
    return r


try:
    print("interrupt_mode", km.kernel_spec.interrupt_mode)

    # An endless loop, interrupted once it has printed: jupyter_client
    # sends interrupt_request on the control socket (interrupt_mode
    # message), the cell ends with the error Interrupted.
    kc.execute('x := 1\nfmt.Println("looping")\nfor {\n\tx = x + 0\n}')
    while True:
        m = kc.get_iopub_msg(timeout=60)
        if m["msg_type"] == "stream":
            break
    loop_id = m["parent_header"]["msg_id"]
    km.interrupt_kernel()
    r = reply_to(loop_id)
    print("interrupted", r["content"]["status"], r["content"]["ename"])
    r = reply_to(kc.execute("x + 41"))
    print("after the interrupt", r["content"]["status"])

    r = reply_to(kc.is_complete("func f() {"))
    print("is_complete", r["content"]["status"])
    r = reply_to(kc.is_complete("1 + 1"))
    print("is_complete", r["content"]["status"])
    r = reply_to(kc.history(hist_access_type="tail", n=2, output=True))
    print("history", r["content"]["status"], [h[2] for h in r["content"]["history"]])
    r = reply_to(kc.comm_info())
    print("comm_info", r["content"]["status"], r["content"]["comms"])

    # Restart: shutdown_request with restart on control; the old process
    # ends, a new one answers, and it has forgotten x.
    old = km.provisioner.process
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=60)
    new = km.provisioner.process
    # The old process ended by itself, status 0 (not killed: -9, -15).
    print("restarted", old.pid != new.pid, km.is_alive(), "old exit", old.wait(timeout=60))
    r = reply_to(kc.execute("x"))
    print("after the restart", r["content"]["status"], r["content"].get("ename"))
    r = reply_to(kc.execute("1 + 1"))
    print("a new kernel", r["content"]["status"])
finally:
    kc.stop_channels()
    last = km.provisioner.process
    km.shutdown_kernel(now=False)
    print("shut down", not km.is_alive(), "exit", last.wait(timeout=60))
