"""AiopsLab external-method client for Python (protocol 1). Standard library only.

A root-cause localizer is a function ``(frame, anomaly_time, graph, options) -> ranking``::

    from aiopslab_client import method

    @method("my-method")
    def my_method(frame, anomaly_time, graph, options):
        a = frame.anomaly_row
        return {name: max(col[a:]) for name, col in frame.items()}   # scores; ranked for you

    if __name__ == "__main__":
        my_method.serve()

and a manifest ``my-method.method.yaml`` beside it names the command (``[python3, my_method.py]``).
The protocol is specified in docs/external-methods.md; this module is one implementation of it.

The function may return a dict ``{metric: score}`` (ranked by score, highest first, ties by name, NaN last, exactly as
AiopsLab ranks), a list of metric names (best first), a list of ``(metric, score)`` pairs (best first, kept in that
order), or a :class:`Ranking` carrying diagnostics too. Anything it prints goes to stderr, never into the protocol.
"""

import array
import base64
import bisect
import csv
import json
import math
import os
import sys
import traceback

PROTOCOL = 1


class Frame:
    """The metrics of one case: ``time`` (Unix seconds, ascending), ``names`` and ``columns`` (lists of floats, NaN where
    missing), with each column's ``entity``, ``kind`` and ``service`` as the dataset names them, and the rest of the
    request: ``anomaly_time``, ``anomaly_row`` (first row with time >= anomaly_time), ``sampling_interval``, ``seed``,
    ``slis``. The label is not part of the request and so not here."""

    def __init__(self, time, names, columns, naming, request):
        self.time = time
        self.names = names
        self.columns = columns
        self.entity = naming.get("entity", [])
        self.kind = naming.get("kind", [])
        self.service = naming.get("service", [])
        self.anomaly_time = request["anomaly_time"]
        self.anomaly_row = bisect.bisect_left(time, self.anomaly_time)
        self.sampling_interval = request.get("sampling_interval", 0)
        self.seed = request.get("seed", 0)
        self.slis = request.get("slis", [])

    @property
    def rows(self):
        return len(self.time)

    def column(self, name):
        return self.columns[self.names.index(name)]

    def items(self):
        return zip(self.names, self.columns)


class Graph:
    """The service call graph (caller -> callee): ``nodes`` and ``edges`` (pairs)."""

    def __init__(self, nodes, edges):
        self.nodes = nodes
        self.edges = [tuple(e) for e in edges]

    def successors(self, node):
        return [b for a, b in self.edges if a == node]

    def predecessors(self, node):
        return [a for a, b in self.edges if b == node]


class Ranking:
    """A ranking (list of ``(metric, score)``, best first) with optional diagnostics (name -> number)."""

    def __init__(self, items, diagnostics=None):
        self.items = list(items)
        self.diagnostics = dict(diagnostics or {})


def rank(scores):
    """Ranks ``{metric: score}`` the way AiopsLab does: highest score first, ties by name (code-point order), NaN last."""
    def key(kv):
        name, s = kv
        nan = s is None or math.isnan(s)
        return (nan, 0.0 if nan else -s, name)
    return sorted(scores.items(), key=key)


def _decode_columns(metrics):
    names = metrics["names"]
    if metrics["format"] == "csv":
        with open(metrics["path"], newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            if header[1:] != names:
                raise ValueError("the CSV header does not match the request's names")
            rows = list(reader)
        time = [int(r[0]) for r in rows]
        columns = [[float(r[j]) if r[j] != "" else math.nan for r in rows] for j in range(1, len(names) + 1)]
        return time, columns
    time = metrics["time"]
    if metrics.get("encoding", "json") == "base64-f64le":
        columns = []
        for s in metrics["columns"]:
            a = array.array("d")
            a.frombytes(base64.b64decode(s))
            if sys.byteorder == "big":
                a.byteswap()
            columns.append(a.tolist())
    else:
        columns = [[math.nan if v is None else float(v) for v in c] for c in metrics["columns"]]
    return time, columns


def problem_of(request):
    """The ``(frame, anomaly_time, graph, options)`` a method is called with, from a request object."""
    time, columns = _decode_columns(request["metrics"])
    frame = Frame(time, request["metrics"]["names"], columns, request.get("naming", {}), request)
    g = request.get("call_graph")
    graph = Graph(g["nodes"], g["edges"]) if g else None
    return frame, request["anomaly_time"], graph, request.get("options", {})


def _number(x):
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def _reply(request_id, result):
    diagnostics = {}
    if isinstance(result, Ranking):
        diagnostics = result.diagnostics
        result = result.items
    if isinstance(result, dict):
        result = rank(result)
    ranking = []
    for entry in result:
        if isinstance(entry, str):
            ranking.append({"metric": entry, "score": None})
        else:
            name, score = entry
            ranking.append({"metric": name, "score": None if score is None else _number(score)})
    diag = {k: _number(v) for k, v in diagnostics.items()}
    return {"id": request_id, "ranking": ranking, "diagnostics": {k: v for k, v in diag.items() if v is not None}}


def serve(fn, name=None, stdin=None):
    """Runs the worker loop: hello, then one reply per request line, until stdin closes."""
    # The protocol owns file descriptor 1; whatever the method prints (Python or native code) goes to stderr.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    src = stdin or sys.stdin.buffer

    def send(obj):
        out.write(json.dumps(obj, allow_nan=False, separators=(",", ":")))
        out.write("\n")
        out.flush()

    send({"type": "hello", "protocol": PROTOCOL, "method": name or fn.__name__, "client": "python"})
    for line in src:
        if not line.strip():
            continue
        request_id = None
        try:
            request = json.loads(line)
            request_id = request.get("id")
            if request.get("protocol", PROTOCOL) != PROTOCOL:
                raise ValueError("protocol %r is not supported (this client speaks %d)" % (request.get("protocol"), PROTOCOL))
            if request.get("type") != "localize":
                raise ValueError("unknown request type %r" % request.get("type"))
            reply = _reply(request_id, fn(*problem_of(request)))
        except Exception as e:  # a failure of the method is an error reply; the worker stays up
            traceback.print_exc(file=sys.stderr)
            sys.stderr.flush()
            reply = {"id": request_id, "error": "%s: %s" % (type(e).__name__, e)}
        send(reply)


def method(name=None):
    """Decorator: marks ``fn(frame, anomaly_time, graph, options)`` as a method; call ``fn.serve()`` to run the worker."""
    def wrap(fn):
        fn.serve = lambda: serve(fn, name)
        fn.method_name = name or fn.__name__
        return fn
    if callable(name):  # used as @method without arguments
        fn, name = name, None
        return wrap(fn)
    return wrap


class Method:
    """Base class alternative to :func:`method`: override ``localize(self, frame, anomaly_time, graph, options)``."""

    name = None

    def localize(self, frame, anomaly_time, graph, options):
        raise NotImplementedError

    def serve(self):
        serve(self.localize, self.name or type(self).__name__)
