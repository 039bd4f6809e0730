"""vault_audit_device: check -> apply -> re-apply -> modify -> remove on real OpenBao."""
import pytest

from tests.support.playbook import run_playbook

pytestmark = pytest.mark.integration


def _task(name, **args):
    return {"name": name, "agentfleet.hashistack.vault_audit_device": args}


def test_audit_device_lifecycle(openbao_audit, tmp_path):
    log = tmp_path / "audit.log"
    other = tmp_path / "audit2.log"
    client = openbao_audit.client()
    device = dict(path="afile", type="file", options={"file_path": str(log)}, description="test log")

    run = run_playbook([
        {**_task("enable (check)", **device), "check_mode": True},
        _task("enable", **device),
        _task("enable again", **device),
        _task("modify", **{**device, "options": {"file_path": str(other)}}),
    ], tmp_path=tmp_path / "apply", env=openbao_audit.env, diff=True)
    assert run.rc == 0, run
    assert run.changed == ["enable (check)", "enable", "modify"]
    assert run.result("enable (check)")["diff"]["before"] == {}
    assert run.result("modify")["recreated"] is True
    assert run.result("modify")["diff"]["before"]["options"] == {"file_path": str(log)}
    listed = client.sys.list_enabled_audit_devices()["data"]["afile/"]
    assert listed["options"]["file_path"] == str(other) and listed["description"] == "test log"
    assert log.exists(), "the first device wrote nothing"

    run = run_playbook([
        {**_task("remove (check)", path="afile", state="absent"), "check_mode": True},
        _task("remove", path="afile", state="absent"),
        _task("remove again", path="afile", state="absent"),
    ], tmp_path=tmp_path / "rm", env=openbao_audit.env)
    assert run.rc == 0, run
    assert run.changed == ["remove (check)", "remove"]
    assert "afile/" not in client.sys.list_enabled_audit_devices()["data"]


def test_api_refusal_is_explained(openbao, tmp_path):
    """Stock OpenBao >= 2.4 refuses API-created devices: the error says what to do."""
    run = run_playbook([_task("enable", path="refused", type="file", options={"file_path": str(tmp_path / "a")})],
                       tmp_path=tmp_path, env=openbao.env)
    assert run.rc != 0
    msg = run.result("enable")["msg"]
    assert "enable audit device 'refused'" in msg and "audit \"<type>\" \"<path>\"" in msg
    assert "refused/" not in openbao.client().sys.list_enabled_audit_devices()["data"]
