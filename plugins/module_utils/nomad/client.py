# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one Nomad client wrapper of this collection (no Ansible imports).

python-nomad's ``nomad.Nomad`` does the HTTP calls where it covers them; the rest go
through a python-nomad ``Requester`` on the same session, so every call shares TLS
settings, the token header, the retry policy, the per-call deadline, fast-fail
(all three from ``module_utils/_http.py``) and error translation.
"""
from __future__ import annotations

import json
import threading
from urllib.parse import urlsplit

try:
    import requests
    import nomad
    from nomad.api import exceptions as nomad_exc
    from nomad.api.base import Requester
    HAS_NOMAD = True
    IMPORT_ERROR = None
except ImportError as exc:  # reported by the module through missing_required_lib
    HAS_NOMAD = False
    IMPORT_ERROR = exc
    Requester = object

from ansible_collections.agentfleet.hashistack.plugins.module_utils._http import (
    DEFAULT_FAIL_FAST_AFTER, BoundedSession, transport_error_message)
from ansible_collections.agentfleet.hashistack.plugins.module_utils._http import (
    idempotent as declare_idempotent)

DEFAULT_ADDRESS = "http://127.0.0.1:4646"


class NomadError(Exception):
    """A failed Nomad call: HTTP status (None when unreachable), method, endpoint, text."""

    def __init__(self, status, method, endpoint, text, attempts=1):
        self.status = status
        self.method = method
        self.endpoint = endpoint
        self.text = (text or "").strip()
        self.attempts = attempts
        super().__init__(str(self))

    def __str__(self):
        where = "%s %s" % (self.method, self.endpoint)
        tries = " after %d attempts" % self.attempts if self.attempts > 1 else ""
        if self.status is None:
            return "Nomad %s%s: %s" % (where, tries, self.text)
        return "Nomad API returned HTTP %s on %s%s: %s" % (self.status, where, tries, self.text or "(no body)")

    def as_dict(self):
        return {"status": self.status, "method": self.method, "endpoint": self.endpoint,
                "error": self.text, "attempts": self.attempts}


class _RawRequester(Requester):
    """python-nomad's requester for endpoints its typed API does not cover."""

    def call(self, method, path, params=None, body=None):
        return self._request(method=method, endpoint=path.lstrip("/"), params=params,
                             json=body, allow_redirects=False, timeout=self.timeout)


def _describe(exc, fallback_method, fallback_path):
    """(status, method, endpoint, text) of a python-nomad or requests exception."""
    resp = getattr(exc, "nomad_resp", exc)
    req = getattr(resp, "request", None)
    method, endpoint = fallback_method, fallback_path
    if req is not None and getattr(req, "url", None):
        parts = urlsplit(req.url)
        method = req.method or method
        endpoint = parts.path + ("?" + parts.query if parts.query else "")
    if isinstance(resp, requests.Response):
        return resp.status_code, method, endpoint, resp.text
    clean = transport_error_message(resp)
    return None, method, endpoint, clean or "%s: %s" % (type(resp).__name__, resp)


def _attempts(exc):
    """Attempts made, as recorded by the session on the response or the error."""
    inner = getattr(exc, "nomad_resp", exc)
    return getattr(inner, "attempts", None) or getattr(exc, "attempts", None) or 1


def hcl_variables(variables):
    """Render a dict as an HCL2 variables file (the ``Variables`` string of /v1/jobs/parse)."""
    lines = []
    for key in sorted(variables or {}):
        if not isinstance(key, str) or not key.replace("_", "a").replace("-", "a").isalnum():
            raise ValueError("invalid HCL variable name %r" % (key,))
        text = json.dumps(variables[key], sort_keys=True)
        # HCL2 would interpolate ${...} and %{...}; escape them so values stay literal.
        text = text.replace("${", "$${").replace("%{", "%%{")
        lines.append("%s = %s" % (key, text))
    return "\n".join(lines) + ("\n" if lines else "")


class NomadClient:
    """Typed access to the Nomad HTTP API with bounded retries and clear errors.

    ``config`` keys: address, token, namespace, region, ca_cert, client_cert, client_key,
    skip_verify, tls_server_name, timeout (s, the deadline of each call as a whole),
    retries, retry_delay (s), fail_fast_after, pool_size, origin (where the address came
    from, in words, named in connection errors; None: not known).
    """

    def __init__(self, config):
        if not HAS_NOMAD:
            raise ImportError("python-nomad and requests are required: %s" % IMPORT_ERROR)
        self.address = (config.get("address") or DEFAULT_ADDRESS).rstrip("/")
        if not urlsplit(self.address).scheme or not urlsplit(self.address).netloc:
            raise ValueError("address must be a URL such as http://127.0.0.1:4646, got %r" % self.address)
        self.namespace = config.get("namespace") or "default"
        self._token = config.get("token") or None
        self._region = config.get("region") or None
        self._timeout = config.get("timeout") or 10
        self._verify = True
        if config.get("skip_verify"):
            self._verify = False
        elif config.get("ca_cert"):
            self._verify = config["ca_cert"]
        cert = (config.get("client_cert"), config.get("client_key"))
        self._cert = cert if all(cert) else ()
        fail_fast_after = config.get("fail_fast_after")
        self.session = BoundedSession(
            "Nomad", self.address, timeout=self._timeout, retries=config.get("retries", 3),
            retry_delay=config.get("retry_delay", 0.5),
            fail_fast_after=DEFAULT_FAIL_FAST_AFTER if fail_fast_after is None else fail_fast_after,
            pool_size=config.get("pool_size"), server_name=config.get("tls_server_name"),
            origin=config.get("origin"))
        self._lock = threading.Lock()
        self._apis = {}

    # -- plumbing ---------------------------------------------------------------
    def _settings(self, namespace):
        return dict(address=self.address, token=self._token, namespace=namespace, region=self._region,
                    timeout=self._timeout, verify=self._verify, cert=self._cert, session=self.session)

    def api(self, namespace=None):
        """A python-nomad ``Nomad`` bound to ``namespace`` (cached, shares the session)."""
        namespace = namespace or self.namespace
        with self._lock:
            if namespace not in self._apis:
                self._apis[namespace] = nomad.Nomad(**self._settings(namespace))
            return self._apis[namespace]

    def _raw(self):
        with self._lock:
            if None not in self._apis:
                self._apis[None] = _RawRequester(uri=None, **self._settings(None))
            return self._apis[None]

    @property
    def down(self):
        """The fast-fail message once Nomad is taken as down (see ``_http``), else None."""
        return self.session.health.down

    def call(self, label, func, *args, idempotent=None, missing_ok=False, **kwargs):
        """Run one python-nomad call; translate failures to NomadError.

        Retries follow the shared policy (``_http``): GET and DELETE are retried, a
        POST/PUT only when ``idempotent`` is true (job register and plan, a
        dispatch with an idempotency token). ``label`` is "METHOD /path" for messages
        when the exception has no request. With ``missing_ok`` a 404 returns None.
        """
        method, path = (label.split(" ", 1) + [""])[:2]
        try:
            with declare_idempotent(idempotent):
                return func(*args, **kwargs)
        except (nomad_exc.BaseNomadException, requests.RequestException) as exc:
            status, method, endpoint, text = _describe(exc, method, path)
            if status == 404 and missing_ok:
                return None
            raise NomadError(status, method, endpoint, text, _attempts(exc)) from None

    def request(self, method, path, params=None, body=None, namespace=None, idempotent=None,
                missing_ok=False):
        """Any endpoint through python-nomad's requester; returns decoded JSON or None."""
        params = {k: v for k, v in (params or {}).items() if v is not None}
        if namespace:
            params["namespace"] = namespace
        resp = self.call("%s %s" % (method.upper(), path), self._raw().call, method, path,
                         params=params, body=body, idempotent=idempotent, missing_ok=missing_ok)
        if resp is None:
            return None
        if not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            raise NomadError(resp.status_code, method.upper(), path, "response is not JSON: %r" % resp.text[:200])

    # -- jobs -------------------------------------------------------------------
    def get_job(self, job_id, namespace=None):
        namespace = namespace or self.namespace
        return self.call("GET /v1/job/%s" % job_id, self.api(namespace).job.get_job, job_id,
                         namespace=namespace, missing_ok=True)

    def list_jobs(self, namespace=None, prefix=None):
        namespace = namespace or self.namespace
        return self.call("GET /v1/jobs", self.api(namespace).jobs.get_jobs, prefix=prefix, namespace=namespace)

    def plan_job(self, job, namespace=None, diff=True, policy_override=False):
        api = self.api(namespace or job.get("Namespace"))
        return self.call("POST /v1/job/%s/plan" % job["ID"], api.job.plan_job, job["ID"], {"Job": job},
                         diff=diff, policy_override=policy_override, idempotent=True)

    def register_job(self, job, namespace=None, enforce_index=None, preserve_counts=False,
                     policy_override=False):
        body = {"Job": job, "PreserveCounts": bool(preserve_counts), "PolicyOverride": bool(policy_override)}
        if enforce_index is not None:
            body.update({"EnforceIndex": True, "JobModifyIndex": int(enforce_index)})
        api = self.api(namespace or job.get("Namespace"))
        # Registering the same job again leaves it as it is (idempotent by content),
        # unless EnforceIndex is set: a repeat would then fail the index check.
        return self.call("POST /v1/jobs", api.jobs.register_job, body, idempotent=enforce_index is None)

    def deregister_job(self, job_id, namespace=None, purge=False):
        namespace = namespace or self.namespace
        return self.call("DELETE /v1/job/%s" % job_id, self.api(namespace).job.deregister_job, job_id,
                         namespace=namespace, purge=True if purge else None)

    def parse_hcl(self, hcl, variables=None, canonicalize=True):
        """Parse HCL2 server-side (/v1/jobs/parse) with HCL2 ``variables`` (a dict)."""
        body = {"JobHCL": hcl, "Canonicalize": bool(canonicalize)}
        if variables:
            body["Variables"] = hcl_variables(variables)
        return self.request("POST", "/v1/jobs/parse", body=body, idempotent=True)

    def job_deployments(self, job_id, namespace=None):
        return self.request("GET", "/v1/job/%s/deployments" % job_id,
                            namespace=namespace or self.namespace) or []

    def job_allocations(self, job_id, namespace=None):
        namespace = namespace or self.namespace
        return self.call("GET /v1/job/%s/allocations" % job_id, self.api(namespace).job.get_allocations,
                         job_id, namespace=namespace) or []

    def promote_deployment(self, deployment_id, namespace=None, groups=None):
        body = {"DeploymentID": deployment_id}
        if groups:
            body["Groups"] = list(groups)
        else:
            body["All"] = True
        return self.request("POST", "/v1/deployment/promote/%s" % deployment_id, body=body,
                            namespace=namespace or self.namespace)

    def dispatch_job(self, job_id, namespace=None, payload=None, meta=None, idempotency_token=None):
        """Dispatch; python-nomad sends the idempotency token in the body, Nomad reads it
        from the ``idempotency_token`` query parameter, so this goes through ``request``.
        Without a token a dispatch is not retried once sent (a retry could start a second
        child); with one, Nomad returns the first child for a repeat."""
        body = {"JobID": job_id}
        if payload is not None:
            body["Payload"] = payload
        if meta:
            body["Meta"] = meta
        return self.request("POST", "/v1/job/%s/dispatch" % job_id, body=body,
                            params={"idempotency_token": idempotency_token},
                            namespace=namespace or self.namespace, idempotent=bool(idempotency_token))
