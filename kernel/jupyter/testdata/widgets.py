"""The Firn kernel's widgets as Jupyter comms, driven by jupyter_client as
JupyterLab's widget front end (ipywidgets) drives a kernel: a cell that
shows a slider opens its model (comm_open, target jupyter.widget) before
the display_data that shows it; comm_info lists it; a comm_msg update
(the reader moves the slider) sets the value the next cell reads, with
no reply; request_state gets the whole state back; a front end's comm to
a target the kernel has not is closed.

Run by TestWidgetsJupyterClient (jupyter_tools_test.go) with Debian's
/usr/bin/python3 and the kernelspec "firn" installed. Prints one line per
check; the Go test compares them.
"""

import jupyter_client

km, kc = jupyter_client.manager.start_new_kernel(kernel_name="firn")


def published(msg_id):
    """The kernel's iopub messages for a request, up to its idle."""
    out = []
    while True:
        m = kc.get_iopub_msg(timeout=60)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        out.append(m)
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return out


def reply_to(msg_id):
    r = kc.get_shell_msg(timeout=60)
    assert r["parent_header"]["msg_id"] == msg_id, r
    return r


def types(msgs):
    return [m["msg_type"] for m in msgs if m["msg_type"] != "status"]


def send(msg_type, content):
    """A request without a helper in jupyter_client (comm messages)."""
    m = kc.session.msg(msg_type, content)
    kc.shell_channel.send(m)
    return m["header"]["msg_id"]


try:
    msg_id = kc.execute('ela := display.Slider("ELA (m)", 2500, 3500, 10, 3000)')
    msgs = published(msg_id)
    print("slider cell", reply_to(msg_id)["content"]["status"], types(msgs))
    opened = next(m for m in msgs if m["msg_type"] == "comm_open")
    c = opened["content"]
    st = c["data"]["state"]
    comm_id = c["comm_id"]
    print("comm_open", c["target_name"], "version", opened["metadata"]["version"], "buffer_paths", c["data"]["buffer_paths"])
    print("state", {k: st[k] for k in sorted(st) if k.startswith("_") and k != "_dom_classes"})
    print("state", {k: st[k] for k in ("description", "value", "min", "max", "step")})
    shown = next(m for m in msgs if m["msg_type"] == "display_data")["content"]["data"]
    print("view", shown["application/vnd.jupyter.widget-view+json"]["model_id"] == comm_id, shown["text/plain"])

    r = reply_to(kc.comm_info(target_name="jupyter.widget"))
    print("comm_info", r["content"]["status"], r["content"]["comms"] == {comm_id: {"target_name": "jupyter.widget"}})

    # The reader moves the slider to 2800: an update on the comm. The
    # kernel publishes busy and idle and sends no reply: the next shell
    # message is the reply to the cell after it.
    msg_id = send("comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": {"value": 2800}, "buffer_paths": []}})
    print("comm_msg update", [m["content"].get("execution_state") for m in published(msg_id)])
    msg_id = kc.execute("fmt.Println(ela.Value())")
    msgs = published(msg_id)
    print("reading cell", reply_to(msg_id)["content"]["status"], [m["content"]["text"] for m in msgs if m["msg_type"] == "stream"])

    msg_id = send("comm_msg", {"comm_id": comm_id, "data": {"method": "request_state"}})
    msgs = published(msg_id)
    update = next(m for m in msgs if m["msg_type"] == "comm_msg")["content"]
    print("request_state", types(msgs), update["comm_id"] == comm_id, update["data"]["method"], update["data"]["state"]["value"])

    msg_id = send("comm_open", {"comm_id": "c0ffee", "target_name": "jupyter.widget.control", "data": {}})
    msgs = published(msg_id)
    print("front end's comm_open", types(msgs), [m["content"]["comm_id"] for m in msgs if m["msg_type"] == "comm_close"])
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=False)
