"""python -m tests.support.nomad_api runs standalone and stops on SIGTERM."""
import subprocess
import sys
from pathlib import Path

import requests

from tests.support.net import free_port

REPO = Path(__file__).resolve().parents[4]


def test_standalone_server_prints_address_and_token():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.nomad_api", "--port",
                             str(port), "--acl"], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        addr = proc.stdout.readline().strip().split("=", 1)[1]
        token = proc.stdout.readline().strip().split("=", 1)[1]
        assert addr == f"http://127.0.0.1:{port}"
        assert requests.get(addr + "/v1/jobs", timeout=5).status_code == 403
        ok = requests.get(addr + "/v1/jobs", headers={"X-Nomad-Token": token}, timeout=5)
        assert ok.status_code == 200 and ok.json() == []
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
        proc.stdout.close()
