"""``patch_module_args``: give module arguments to ``AnsibleModule`` objects made in a test.

ansible-core 2.19 ships the helper as ``ansible.module_utils.testing.patch_module_args``;
2.17 and 2.18 have no public helper, so there the same thing is done the way those
releases read arguments: ``AnsibleModule`` takes ``ansible.module_utils.basic._ANSIBLE_ARGS``
(JSON bytes ``{"ANSIBLE_MODULE_ARGS": {...}}``) when it is set
(ansible-core 2.17 ``module_utils/basic.py`` ``_load_params``).
"""
import contextlib
import json
from unittest import mock

try:
    from ansible.module_utils.testing import patch_module_args  # ansible-core >= 2.19
except ImportError:  # ansible-core 2.17 / 2.18
    from ansible.module_utils import basic as _basic

    @contextlib.contextmanager
    def patch_module_args(args=None):
        """Expose ``args`` (dict or None) to ``AnsibleModule`` objects created in the block."""
        if not isinstance(args, (dict, type(None))):
            raise TypeError("The `args` arg must be a dict or None.")
        payload = json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}).encode()
        with mock.patch.object(_basic, "_ANSIBLE_ARGS", payload):
            yield

__all__ = ["patch_module_args"]
