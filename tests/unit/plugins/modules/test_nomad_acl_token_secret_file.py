"""nomad_acl_token writes secret_file through the one atomic writer: 0600 before the secret."""
import os
import stat

from ansible_collections.agentfleet.hashistack.plugins.module_utils import atomic_file
from ansible_collections.agentfleet.hashistack.plugins.modules import nomad_acl_token


class Module:
    def __init__(self, path):
        self.params = {"secret_file": path}


def test_an_existing_world_readable_file_never_holds_the_secret_readable(tmp_path, monkeypatch):
    """Failed before: the secret went into the existing 0644 file, chmod came after."""
    path = tmp_path / "token"
    path.write_text("old\n")
    os.chmod(path, 0o644)
    modes = []
    real_fsync = os.fsync

    def spy(fd):  # the content is in the file by the time it is synced
        modes.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_fsync(fd)

    monkeypatch.setattr(atomic_file.os, "fsync", spy)
    result = {}
    nomad_acl_token._keep_secret(Module(str(path)), result, "s3cret")
    assert path.read_text() == "s3cret\n" and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert modes and modes[0] == 0o600
    assert result == {"secret_file": str(path)}
