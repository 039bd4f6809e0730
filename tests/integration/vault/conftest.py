"""Fixtures for the Vault module tests (real OpenBao servers from tests/support)."""
import pytest

from tests.support.openbao import DevServer


class AuditableDevServer(DevServer):
    """A dev server that still allows API-created audit devices (OpenBao >= 2.4 refuses
    them unless the server config sets ``unsafe_allow_api_audit_creation``)."""

    def start(self):
        extra = self.workdir / "extra.hcl"
        extra.write_text("unsafe_allow_api_audit_creation = true\n")
        self._spawn([
            "server", "-dev", f"-dev-root-token-id={self.token}",
            f"-dev-listen-address=127.0.0.1:{self.port}", "-dev-no-store-token",
            f"-config={extra}",
        ])
        self._wait_http()
        return self


@pytest.fixture(scope="module")
def openbao_audit(tmp_path_factory):
    server = AuditableDevServer(tmp_path_factory.mktemp("openbao-audit")).start()
    yield server
    server.stop()


def assert_no_secret(run, *secrets):
    """None of ``secrets`` appears anywhere in the run's stdout/stderr."""
    for secret in secrets:
        assert secret and secret not in run.output, "a secret value leaked into ansible output"


def task(module, title, /, check=None, ignore=False, **args):
    """A playbook task calling ``agentfleet.hashistack.<module>`` with ``args``."""
    entry = {"name": title, f"agentfleet.hashistack.{module}": args}
    if check is not None:
        entry["check_mode"] = check
    if ignore:
        entry["ignore_errors"] = True
    return entry
