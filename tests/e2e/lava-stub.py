#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A LAVA server's XML-RPC API as lavacli (2023.01) calls it, answering from
a recorded job log: tests/e2e/test_lava.c drives `zdbench lava --submit`
against it because lava-server cannot run on this machine (docs/lab.md).

usage: lava-stub.py PORTFILE CALLS LOG
  PORTFILE  the port it listens on (127.0.0.1) is written here
  CALLS     every call is appended here, one JSON line (method, args)
  LOG       the recorded lava-run log (one YAML mapping per line) served
            as the job's log

The methods and answer shapes are lavacli's (lavacli/commands/jobs.py,
lavacli/__init__.py): system.version, scheduler.jobs.submit (the new id),
scheduler.jobs.show (state Finished), scheduler.jobs.logs (finished, the
YAML of the entries from start), scheduler.jobs.cancel.
"""
import json
import sys
from xmlrpc.server import SimpleXMLRPCServer

import yaml

portfile, calls, logpath = sys.argv[1:4]
with open(logpath) as f:
    ENTRIES = [yaml.safe_load(line) for line in f if line.strip()]
JOB_ID = 4242


def record(method, *args):
    with open(calls, "a") as f:
        f.write(json.dumps({"method": method, "args": [str(a) for a in args]}) + "\n")


def version():
    record("system.version")
    return "2023.01"


def submit(definition):
    record("scheduler.jobs.submit", definition)
    yaml.safe_load(definition)  # a definition that is no YAML is a fault
    return JOB_ID


def show(job_id):
    record("scheduler.jobs.show", job_id)
    return {"id": int(job_id), "state": "Finished", "health": "Complete",
            "failure_comment": None}


def logs(job_id, start=0, end=None):
    record("scheduler.jobs.logs", job_id, start, end)
    part = ENTRIES[int(start):] if end is None else ENTRIES[int(start):int(end)]
    return (True, yaml.safe_dump(part, default_flow_style=True, width=10**6))


def cancel(job_id):
    record("scheduler.jobs.cancel", job_id)
    return True


srv = SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False, allow_none=True)
srv.register_function(version, "system.version")
srv.register_function(submit, "scheduler.jobs.submit")
srv.register_function(show, "scheduler.jobs.show")
srv.register_function(logs, "scheduler.jobs.logs")
srv.register_function(cancel, "scheduler.jobs.cancel")
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
