"""Run this collection's action plugins in-process, as ansible-playbook runs them on the
controller (the task, connection and loader are stand-ins: these actions use none of them)."""
import importlib
from unittest import mock


def run_action(name, args, *, playbook_dir, check_mode=False, diff=False):
    """The result dict of action plugin ``agentfleet.hashistack.<name>`` run with ``args``."""
    module = importlib.import_module(f"ansible_collections.agentfleet.hashistack.plugins.action.{name}")
    task = mock.MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = check_mode
    task.diff = diff
    connection = mock.MagicMock()
    connection._shell.tmpdir = None
    action = module.ActionModule(task, connection, mock.MagicMock(), mock.MagicMock(), mock.MagicMock(),
                                 mock.MagicMock())
    return action.run(task_vars={"playbook_dir": str(playbook_dir)})
