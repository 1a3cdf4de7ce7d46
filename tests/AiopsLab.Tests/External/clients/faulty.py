"""A test method that speaks protocol 1 directly (no client module), and misbehaves on request.

The behaviour is the option ``mode``, or when that is ``by-column`` the name of the frame's first column:
ok, crash, hang, garbage, unknown-metric, empty, error, wrong-id, duplicate. ``ok`` ranks the columns in order and
reports the worker's pid as a diagnostic, so tests can tell whether a worker was restarted."""

import json
import os
import sys
import time

out = sys.stdout


def send(obj):
    out.write(json.dumps(obj) + "\n")
    out.flush()


send({"type": "hello", "protocol": 1, "method": "faulty"})
for line in sys.stdin:
    req = json.loads(line)
    names = req["metrics"]["names"]
    mode = req["options"].get("mode", "by-column")
    if mode == "by-column":
        mode = names[0] if names else "ok"
    rid = req["id"]
    if mode == "crash":
        sys.stderr.write("faulty: about to crash on purpose\n")
        sys.stderr.flush()
        os._exit(3)
    if mode == "hang":
        time.sleep(600)
    if mode == "garbage":
        out.write("this is not json\n")
        out.flush()
        continue
    if mode == "unknown-metric":
        send({"id": rid, "ranking": [{"metric": "no-such-metric", "score": 1.0}]})
        continue
    if mode == "empty":
        send({"id": rid, "ranking": []})
        continue
    if mode == "error":
        sys.stderr.write("faulty: raising an error\n")
        send({"id": rid, "error": "ValueError: asked to fail"})
        continue
    if mode == "wrong-id":
        send({"id": rid + 1000, "ranking": [{"metric": names[0], "score": 1.0}]})
        continue
    if mode == "duplicate":
        send({"id": rid, "ranking": [{"metric": names[0], "score": 1.0}, {"metric": names[0], "score": 0.5}]})
        continue
    ranking = [{"metric": n, "score": float(len(names) - i)} for i, n in enumerate(names)]
    send({"id": rid, "ranking": ranking, "diagnostics": {"pid": os.getpid()}})
