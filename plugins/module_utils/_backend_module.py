# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of the three module wrappers (``NomadModule``, ``VaultModule``, ``ConsulModule``).

Each backend's ``_module.py`` subclasses it with its connection argspec and its
``client_from_params``, as community.hashi_vault's modules share ``HashiVaultModule``.
"""
from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.agentfleet.hashistack.plugins.module_utils.connection_origin import address_origin


class BackendModule(AnsibleModule):
    """AnsibleModule with a backend's connection options merged in and one client built on
    first use by ``module.client(**options)``.

    A subclass passes its connection argspec (a dict of options) to ``__init__``, sets
    ``CLIENT_ERRORS`` (the exceptions its client construction raises for bad options) and
    ``ADDRESS_OPTION`` (the name of its address option) and implements
    ``build_client(origin=None, **options)``; those errors become ``fail_json(msg=...)``.
    ``origin`` is where the address came from (task option, environment variable or the
    default), named by the client in connection errors.
    """

    CLIENT_ERRORS = (ValueError,)
    ADDRESS_OPTION = "url"

    def __init__(self, connection_spec, argument_spec, **kwargs):
        spec = dict(connection_spec)
        spec.update(argument_spec)
        self._given = {}
        super().__init__(argument_spec=spec, **kwargs)
        self._client = None

    def _load_params(self):
        super()._load_params()
        self._given = dict(self.params)  # as the task gave them, before defaults and fallbacks

    def address_origin(self):
        """Where the address option came from, in words (see ``connection_origin.address_origin``)."""
        return address_origin(self.ADDRESS_OPTION, self._given, self.argument_spec)

    def client(self, **options):
        """The one client of this run (``options`` are used on the first call only)."""
        if self._client is None:
            try:
                options.setdefault("origin", self.address_origin())
                self._client = self.build_client(**options)
            except self.CLIENT_ERRORS as exc:
                self.fail_json(msg=str(exc))
        return self._client

    def build_client(self, **options):
        raise NotImplementedError
