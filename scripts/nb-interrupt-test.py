#!/usr/bin/python3
"""nb-interrupt-test.py: Kernel > Interrupt during a notebook's training
records the run as "interrupted", and the same cell run again resumes it.

It starts the GoNB kernel (as Jupyter does, through jupyter_client) in
notebooks/, runs the set-up cells of 02_gap_vs_fc.ipynb, starts its training
cell with a configuration that trains for minutes, interrupts the kernel
once the first run's training has begun (an interrupt_request, what the
notebook's stop button sends; GoNB relays it to the cell's process as
SIGINT and kills it 5 s later), and checks the record: status
"interrupted", and the cell stopped within GoNB's 5 s. (That a resume
continues such a record exactly is covered by the Go tests.) Exit status
0 when it holds.

    scripts/nb-interrupt-test.py RESULTS_DIR
"""
import glob
import json
import os
import queue
import sys
import time

import jupyter_client

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
results = os.path.abspath(sys.argv[1])
os.makedirs(results, exist_ok=True)

nb = json.load(open(os.path.join(root, "notebooks", "02_gap_vs_fc.ipynb")))
code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
setup = [c for c in code if "%%" not in c]
train = next(c for c in code if 'nb.Run("gap-vs-fc")' in c)

env = dict(os.environ)
env.update({
    "NIN_NB_RESULTS": results,
    "NIN_NB_SEEDS": "1",
    "NIN_NB_DATASETS": "mnist",
    # Minutes of training: the interrupt must land inside it.
    "NIN_NB_SET": "epochs=5;subset=20000;validation=1000;test_subset=1000",
})
km = jupyter_client.KernelManager(kernel_name="gonb")
km.start_kernel(cwd=os.path.join(root, "notebooks"), env=env)
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=120)


def run(src, timeout, until=None):
    """Executes src; returns (status, output). If until(output) becomes
    true first, interrupts the kernel then and waits for the reply."""
    msg_id = kc.execute(src)
    out, interrupted_at = "", None
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except queue.Empty:
            msg = None
        if msg and msg["parent_header"].get("msg_id") == msg_id:
            c = msg["content"]
            if msg["msg_type"] == "stream":
                out += c["text"]
            elif msg["msg_type"] == "error":
                out += "\n".join(c.get("traceback", []))
            elif msg["msg_type"] == "status" and c["execution_state"] == "idle":
                return "idle", out, interrupted_at
        if until and interrupted_at is None and until(out):
            time.sleep(2)
            interrupted_at = time.time()
            km.interrupt_kernel()
    return "timeout", out, interrupted_at


failures = []
try:
    for src in setup:
        status, out, _ = run(src, 600)
        if status != "idle":
            failures.append("set-up cell did not finish: " + out[-500:])
    status, out, t_int = run(train, 900, until=lambda o: "run " in o and "data mnist" in o)
    if t_int is None:
        failures.append("training never started; output:\n" + out[-2000:])
    else:
        took = time.time() - t_int
        print(f"the cell ended {took:.1f} s after the interrupt")
        if took > 5:
            failures.append(f"the cell took {took:.1f} s to stop after the interrupt (GoNB kills it at 5 s)")
    sums = glob.glob(os.path.join(results, "runs", "*", "summary.json"))
    statuses = [json.load(open(s))["status"] for s in sums]
    print("records:", statuses)
    if statuses != ["interrupted"]:
        failures.append(f"records after the interrupt: {statuses}, want one 'interrupted'\noutput:\n{out[-2000:]}")
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)

if failures:
    print("FAIL:\n" + "\n".join(failures))
    sys.exit(1)
print("OK: the interrupted notebook run is recorded as interrupted")
