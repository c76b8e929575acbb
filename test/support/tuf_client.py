#!/usr/bin/env python3
"""python-tuf's reference client (ngclient.Updater) fetching trusted_root.json, for the differential.

Usage: PYTHONPATH=<python-tuf> python3 tuf_client.py

Reads one JSON request a line on stdin: {"metadata_dir", "target_dir" (its cache, kept between
requests), "url" (the mirror), "bootstrap" (a root.json's path), "now" (optional: seconds since the
epoch, the clock expiry is checked against)}; answers each with one JSON line on stdout:
{"ok": true, "sha256": <the target's>} or {"ok": false, "error": "<class>: <message>"}.
"""
import hashlib, json, os, sys
from datetime import datetime, timezone

from tuf.ngclient import Updater


def fetch(request):
    os.makedirs(request["metadata_dir"], exist_ok=True)
    os.makedirs(request["target_dir"], exist_ok=True)
    url = request["url"]
    with open(request["bootstrap"], "rb") as f:
        updater = Updater(request["metadata_dir"], f"{url}/", request["target_dir"], f"{url}/targets/", bootstrap=f.read())
    if request.get("now") is not None:
        updater._trusted_set.reference_time = datetime.fromtimestamp(request["now"], timezone.utc)
    updater.refresh()
    info = updater.get_targetinfo("trusted_root.json")
    if info is None:
        raise LookupError("no target trusted_root.json")
    path = updater.find_cached_target(info) or updater.download_target(info)
    with open(path, "rb") as f:
        return {"ok": True, "sha256": hashlib.sha256(f.read()).hexdigest()}


for line in sys.stdin:
    try:
        answer = fetch(json.loads(line))
    except Exception as e:  # every refusal is a result here
        answer = {"ok": False, "error": f"{type(e).__name__}: {e}"}
    print(json.dumps(answer), flush=True)
