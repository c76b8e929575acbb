"""docker-py (Debian's python3-docker) doing the benchmark's jobs; prints one JSON line of results."""
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import docker
from docker.utils import build as build_utils
from docker.utils.json_stream import json_stream

cmd = sys.argv[1]
base_url = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")


def client():
    return docker.APIClient(base_url=base_url, version="1.41")


if cmd == "list" or cmd == "get":
    n, conc = int(sys.argv[2]), int(sys.argv[3])
    name = sys.argv[4] if len(sys.argv) > 4 else None
    c = client()
    call = (lambda _: c.images()) if cmd == "list" else (lambda _: c.inspect_image(name))
    call(0)
    t = time.perf_counter()
    if conc == 1:
        for i in range(n):
            call(i)
    else:
        with ThreadPoolExecutor(conc) as pool:
            list(pool.map(call, range(n)))
    print(json.dumps({"ms": (time.perf_counter() - t) * 1000}))
elif cmd == "context":
    path, patterns = sys.argv[2], sys.argv[3:]
    t = time.perf_counter()
    f = build_utils.tar(path, exclude=patterns, dockerfile=None, gzip=False)
    f.close()
    print(json.dumps({"ms": (time.perf_counter() - t) * 1000}))
elif cmd == "save":
    name, out = sys.argv[2], sys.argv[3]
    c = docker.DockerClient(base_url=base_url, version="1.41")
    t = time.perf_counter()
    with open(out, "wb") as f:
        for chunk in c.images.get(name).save():
            f.write(chunk)
    print(json.dumps({"ms": (time.perf_counter() - t) * 1000}))
elif cmd == "load":
    path = sys.argv[2]
    c = client()
    t = time.perf_counter()
    with open(path, "rb") as f:
        for _ in c.load_image(f):
            pass
    print(json.dumps({"ms": (time.perf_counter() - t) * 1000}))
elif cmd == "json-stream":
    path = sys.argv[2]

    def chunks():
        with open(path, "rb") as f:
            while True:
                b = f.read(65536)
                if not b:
                    return
                yield b

    t = time.perf_counter()
    n = 0
    for _ in json_stream(chunks()):
        n += 1
    print(json.dumps({"ms": (time.perf_counter() - t) * 1000, "n": n}))
else:
    sys.exit("unknown command " + cmd)
