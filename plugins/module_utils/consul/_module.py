# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible glue of the Consul backend: argspec, ``client_from_params``, ``ConsulModule``.

The same shape as ``nomad/_module.py`` and ``vault/_module.py``: the connection argspec,
paired with the ``agentfleet.hashistack.consul`` doc fragment (same options);
``client_from_params(params)`` used by modules and the fleet_* action plugins alike; the
module wrapper ``ConsulModule`` (options merged in, one lazily built client, errors turned
into ``fail_json``); and ``apply_entry``, the present/absent flow of one config entry.
"""
from __future__ import annotations

from ansible.module_utils.basic import env_fallback

from ansible_collections.agentfleet.hashistack.plugins.module_utils._backend_module import BackendModule
from ansible_collections.agentfleet.hashistack.plugins.module_utils._http import retry_argument_spec
from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.client import (
    ConsulClient,
    ConsulError,
)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.entries import (
    differences,
    normalise,
    redact,
)


def connection_argument_spec():
    """Options to reach Consul: address, token, TLS, Enterprise tenancy, retries."""
    return dict(
        url=dict(type="str", aliases=["address"], fallback=(env_fallback, ["CONSUL_HTTP_ADDR"])),
        token=dict(type="str", no_log=True, fallback=(env_fallback, ["CONSUL_HTTP_TOKEN"])),
        use_ssl=dict(type="bool", fallback=(env_fallback, ["CONSUL_HTTP_SSL"])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["CONSUL_HTTP_SSL_VERIFY"])),
        ca_path=dict(type="path", fallback=(env_fallback, ["CONSUL_CACERT"])),
        client_cert=dict(type="path", fallback=(env_fallback, ["CONSUL_CLIENT_CERT"])),
        client_key=dict(type="path", no_log=False, fallback=(env_fallback, ["CONSUL_CLIENT_KEY"])),
        namespace=dict(type="str", fallback=(env_fallback, ["CONSUL_NAMESPACE"])),
        partition=dict(type="str", fallback=(env_fallback, ["CONSUL_PARTITION"])),
        datacenter=dict(type="str"),
        timeout=dict(type="float", default=10.0),
        **retry_argument_spec()
    )


CONNECTION_KEYS = tuple(connection_argument_spec())


def client_from_params(params, pool_size=10, origin=None):
    """The ``ConsulClient`` for validated connection ``params`` (a dict with ``CONNECTION_KEYS``).

    ``pool_size``: connections kept per host; ``origin``: where the address came from, in
    words (``connection_origin.address_origin``). Raises ConsulError (requests missing) or
    ValueError (bad option) with the message to show.
    """
    return ConsulClient(pool_size=pool_size, origin=origin, **{k: params[k] for k in CONNECTION_KEYS})


class ConsulModule(BackendModule):
    """The Consul module wrapper: ``module.client()`` is the run's ConsulClient."""

    CLIENT_ERRORS = (ConsulError, ValueError)

    def __init__(self, argument_spec, **kwargs):
        super().__init__(connection_argument_spec(), argument_spec, **kwargs)

    ADDRESS_OPTION = "url"

    def build_client(self, origin=None):
        return client_from_params(self.params, origin=origin)


def apply_entry(module, client, kind, name, desired, state="present", cas=True):
    """Make config entry ``kind``/``name`` match ``desired`` (a full entry) or be absent.

    Compares normalised forms; writes only on a difference; in check mode reports the
    change without writing. With ``cas`` writes are check-and-set on the ModifyIndex
    that was read, so a concurrent change fails the task instead of being overwritten.
    Returns the module result (``changed``, ``diff``, ``entry``, ``differences``).
    """
    try:
        current = client.get_config_entry(kind, name)
        before = normalise(current)
        after = normalise(desired) if state == "present" else None
        result = {"changed": before != after, "kind": kind, "name": name,
                  "differences": differences(before or {}, after or {}) if before != after else []}
        if module._diff:
            result["diff"] = {"before": redact(before) or {}, "after": redact(after) or {},
                              "before_header": "%s/%s" % (kind, name), "after_header": "%s/%s" % (kind, name)}
        if not result["changed"]:
            result["entry"] = redact(before)
            return result
        index = (current or {}).get("ModifyIndex", 0)
        if module.check_mode:
            result["entry"] = redact(after)
            return result
        if state == "absent":
            done = client.delete_config_entry(kind, name, cas=index if cas else None)
            result["entry"] = None
        else:
            done = client.put_config_entry(desired, cas=index if cas else None)
            result["entry"] = redact(normalise(client.get_config_entry(kind, name)))
        if not done:
            module.fail_json(msg="config entry %s/%s was changed by someone else after it was read "
                             "(check-and-set on ModifyIndex %s failed); nothing was written, re-run "
                             "the task" % (kind, name, index), **result)
        return result
    except ConsulError as exc:
        module.fail_json(msg=str(exc), status=exc.status, kind=kind, name=name)
