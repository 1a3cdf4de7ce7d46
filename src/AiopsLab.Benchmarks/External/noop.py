"""A method that does no work: it decodes the request (as every client must) and ranks the columns in frame order.
Its time through the protocol, minus the in-process no-op, is the protocol's overhead per case."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "clients", "python"))

from aiopslab_client import method  # noqa: E402


@method("noop")
def noop(frame, anomaly_time, graph, options):
    return list(frame.names)


if __name__ == "__main__":
    noop.serve()
