# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible glue of the Nomad backend: connection argspec, ``client_from_params``, ``NomadModule``.

The same shape as ``vault/_module.py`` and ``consul/_module.py``: ``connection_argument_spec()``
(paired with the ``agentfleet.hashistack.nomad`` doc fragment, same options, same order),
``client_from_params(params)`` used by modules and the fleet_* action plugins alike, and
the module wrapper ``NomadModule`` (connection options merged in, one lazily built client,
errors turned into ``fail_json``).
"""
from __future__ import annotations

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.agentfleet.hashistack.plugins.module_utils._backend_module import BackendModule
from ansible_collections.agentfleet.hashistack.plugins.module_utils._http import retry_argument_spec

from .client import HAS_NOMAD, IMPORT_ERROR, NomadClient, NomadError
from .resources import plan_object


def connection_argument_spec():
    """Options to reach Nomad: address, token, namespace, region, TLS, retries."""
    return dict(
        address=dict(type="str", default="http://127.0.0.1:4646", fallback=(env_fallback, ["NOMAD_ADDR"])),
        token=dict(type="str", no_log=True, fallback=(env_fallback, ["NOMAD_TOKEN"])),
        namespace=dict(type="str", default="default", fallback=(env_fallback, ["NOMAD_NAMESPACE"])),
        region=dict(type="str", fallback=(env_fallback, ["NOMAD_REGION"])),
        ca_cert=dict(type="path", fallback=(env_fallback, ["NOMAD_CACERT"])),
        client_cert=dict(type="path", fallback=(env_fallback, ["NOMAD_CLIENT_CERT"])),
        client_key=dict(type="path", fallback=(env_fallback, ["NOMAD_CLIENT_KEY"])),
        skip_verify=dict(type="bool", default=False, fallback=(env_fallback, ["NOMAD_SKIP_VERIFY"])),
        tls_server_name=dict(type="str", fallback=(env_fallback, ["NOMAD_TLS_SERVER_NAME"])),
        timeout=dict(type="float", default=10.0),
        **retry_argument_spec()
    )


CONNECTION_KEYS = tuple(connection_argument_spec())

# Options of nomad_job and nomad_jobs that map onto job_apply.JobOptions.
JOB_OPTIONS = dict(
    purge=dict(type="bool", default=False),
    force=dict(type="bool", default=False),
    owner=dict(type="str", default="agentfleet.hashistack"),
    preserve_counts=dict(type="bool", default=False),
    policy_override=dict(type="bool", default=False),
    wait=dict(type="bool", default=False),
    wait_timeout=dict(type="int", default=300),
    wait_interval=dict(type="float", default=1.0),
    promote=dict(type="str", choices=["never", "auto", "now"], default="never"),
)


def connection_problem(params):
    """A message when the numeric connection options are out of range, else None."""
    lowest = {"retries": 0, "timeout": None, "retry_delay": 0, "fail_fast_after": 0}  # None: > 0
    bad = [(k, params.get(k)) for k, low in lowest.items()
           if params.get(k) is None or (params[k] <= 0 if low is None else params[k] < low)]
    if not bad:
        return None
    return ("%s: write retries >= 0, timeout > 0, retry_delay >= 0 and fail_fast_after >= 0"
            % ", ".join("%s=%s" % item for item in bad))


def client_from_params(params, pool_size=None, origin=None):
    """The ``NomadClient`` for validated connection ``params`` (a dict with ``CONNECTION_KEYS``).

    ``pool_size``: connections kept per host (None: the client's default); ``origin``:
    where the address came from, in words (``connection_origin.address_origin``). Raises
    ValueError with the message to show when an option is out of range or the address
    is not a URL or python-nomad/requests is missing.
    """
    if not HAS_NOMAD:
        raise ValueError("python-nomad and requests are required: %s" % IMPORT_ERROR)
    problem = connection_problem(params)
    if problem:
        raise ValueError(problem)
    config = {k: params[k] for k in CONNECTION_KEYS}
    config["pool_size"] = pool_size
    config["origin"] = origin
    try:
        return NomadClient(config)
    except ValueError as exc:
        raise ValueError("address: %s" % exc) from None


class NomadModule(BackendModule):
    """The Nomad module wrapper: ``module.client(pool_size=None)`` is the run's NomadClient;
    ``fail_nomad`` fails with a translated NomadError."""

    def __init__(self, argument_spec, **kwargs):
        super().__init__(connection_argument_spec(), argument_spec, **kwargs)
        if not HAS_NOMAD:
            self.fail_json(msg=missing_required_lib("python-nomad"), exception=str(IMPORT_ERROR))
        problem = connection_problem(self.params)
        if problem:
            self.fail_json(msg=problem)

    ADDRESS_OPTION = "address"

    def build_client(self, pool_size=None, origin=None):
        return client_from_params(self.params, pool_size=pool_size, origin=origin)

    def fail_nomad(self, err, **extra):
        """fail_json from a NomadError, with a hint for the usual statuses."""
        hint = {
            403: " (the token lacks the ACL capability for this call)",
            501: " (Nomad answers 501 Not Implemented for Enterprise-only endpoints)",
        }.get(err.status, "")
        self.fail_json(msg=str(err) + hint, nomad_error=err.as_dict(), **extra)


def ensure_object(module, current, desired, write, delete, exact=(), present=None, extra=None):
    """The usual present/absent flow for a simple named object; returns the result.

    ``current`` is the live object or None, ``desired`` the API body to compare,
    ``write()``/``delete()`` perform the change (skipped in check mode); their return
    values are not put in the result (they may hold secrets).
    """
    present = module.params.get("state", "present") == "present" if present is None else present
    plan = plan_object(current, desired, exact, present)
    changed, before, after = plan["changed"], plan["before"], plan["after"]
    result = dict(extra or {})
    if present:
        result["differences"] = plan["differences"]
    try:
        if changed and not module.check_mode:
            if present:
                write()
            else:
                delete()
    except NomadError as exc:
        module.fail_nomad(exc)
    result["changed"] = changed
    if module._diff:
        result["diff"] = {"before": before, "after": after}
    return result
