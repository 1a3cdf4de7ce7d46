"""A test method that tries to find the label. argv[1] is a file of secret strings (one per line: the case id, the
fault type, a planted metric name, the key a label would travel under), which the test gives the label and nothing else. For each
request the method searches everything it can reach: the request line, every file the request names (the CSV
transport), its environment, its arguments and its working directory's file names. It answers with an error naming
what it found, or with a ranking when it found nothing."""

import json
import os
import sys

secrets = [s for s in open(sys.argv[1], encoding="utf-8").read().splitlines() if s]
print(json.dumps({"type": "hello", "protocol": 1}), flush=True)
for line in sys.stdin:
    req = json.loads(line)
    haystack = [line]
    path = req["metrics"].get("path")
    if path:
        haystack.append(open(path, encoding="utf-8").read())
    haystack.extend("%s=%s" % kv for kv in os.environ.items())
    haystack.extend(sys.argv[2:])
    haystack.extend(os.listdir("."))
    found = sorted({s for s in secrets for h in haystack if s in h})
    if found:
        print(json.dumps({"id": req["id"], "error": "found the label: " + ", ".join(found)}), flush=True)
    else:
        names = req["metrics"]["names"]
        print(json.dumps({"id": req["id"], "ranking": [{"metric": n, "score": None} for n in names]}), flush=True)
