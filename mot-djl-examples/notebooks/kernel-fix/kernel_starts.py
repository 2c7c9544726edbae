"""Starts Jupyter kernels N times each, alternating between the kernels named, and counts the
starts that never answer kernel_info within the timeout (what nbclient waits for before the first
cell). Each kernel's log goes to a temporary folder, printed at the end.

    /usr/bin/python3 kernel_starts.py KERNEL[,KERNEL...] STARTS [TIMEOUT_SECONDS]

e.g. `nice -n 19 /usr/bin/python3 kernel_starts.py rapaio-jupyter-kernel 60 15`; with
JUPYTER_DATA_DIR set, the kernel specs are looked up there first.
"""
import os, sys, tempfile, time
from jupyter_client.manager import KernelManager

kernels = sys.argv[1].split(",")
n = int(sys.argv[2])
timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 15
logdir = tempfile.mkdtemp(prefix="kstart-")
stats = {k: {"fails": 0, "times": []} for k in kernels}
for i in range(n):
    for k in kernels:
        log = open(os.path.join(logdir, "%s-%03d.log" % (k, i)), "w")
        km = KernelManager(kernel_name=k)
        t0 = time.time()
        km.start_kernel(stdout=log, stderr=log)
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=timeout)
            stats[k]["times"].append(time.time() - t0)
            result = "ok %.1f s" % stats[k]["times"][-1]
        except RuntimeError:
            stats[k]["fails"] += 1
            result = "FAILED"
        kc.stop_channels()
        km.shutdown_kernel(now=result == "FAILED")
        log.close()
        print("%s start %d: %s" % (k, i, result), flush=True)
for k in kernels:
    t = sorted(stats[k]["times"])
    print("kernel=%s starts=%d failed=%d median_ready=%.2f s" % (
        k, n, stats[k]["fails"], t[len(t) // 2] if t else -1))
print("logs: " + logdir)
