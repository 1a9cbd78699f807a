"""A cell that reads standard input, answered by jupyter_client.

Run by TestInputReplyJupyterClient (jupyter_tools_test.go) with Debian's
/usr/bin/python3 and the kernelspec "firn" installed. KernelClient.input,
which jupyter console and nbclient use, sends its input_reply with no
parent header. Prints what the cell printed, one stream per line.
"""

import queue

import jupyter_client

km, kc = jupyter_client.manager.start_new_kernel(kernel_name="firn")
try:
    msg_id = kc.execute(
        'fmt.Print("name? "); var name string; fmt.Scanln(&name); fmt.Println("hello,", name)',
        allow_stdin=True,
    )
    req = kc.get_stdin_msg(timeout=60)
    assert req["msg_type"] == "input_request", req
    assert req["parent_header"]["msg_id"] == msg_id, req
    kc.input("glacier")
    reply = kc.get_shell_msg(timeout=60)
    assert reply["parent_header"]["msg_id"] == msg_id, reply
    print("status", reply["content"]["status"])
    while True:
        m = kc.get_iopub_msg(timeout=60)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        if m["msg_type"] == "stream":
            print("stream", repr(m["content"]["text"]))
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
