# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one Consul HTTP client of this collection (plain Python + requests).

Covers the config-entry API (``/v1/config``), which is how service-intentions,
service-defaults, proxy-defaults and service-resolver entries are managed since
Consul 1.9. py-consul 1.8.0 was checked and not used: its ``config`` calls take no
namespace/partition and hide status codes and Consul's error text behind its own
exceptions, which this collection needs to report.

Behaviour:
- ``X-Consul-Token`` header when a token is set (the token never appears in errors);
- ``ns`` / ``partition`` / ``dc`` query parameters when set (Consul Enterprise);
- the shared bounded session (``module_utils/_http.py``): one retry policy, a
  deadline per call as a whole (``timeout``), fast-fail once Consul stops answering;
  a check-and-set write or delete is never repeated after it was sent (a repeat would
  fail its own index check);
- errors name the method, endpoint, HTTP status and Consul's own message.
"""
from __future__ import annotations

import json

from ansible_collections.agentfleet.hashistack.plugins.module_utils._http import (
    DEFAULT_FAIL_FAST_AFTER, HAS_REQUESTS, REQUESTS_IMPORT_ERROR, BoundedSession,
    transport_error_message)
from ansible_collections.agentfleet.hashistack.plugins.module_utils._http import (
    idempotent as declare_idempotent)

try:
    import requests
except ImportError:  # pragma: no cover - reported by the module
    requests = None

DEFAULT_URL = "http://127.0.0.1:8500"


class ConsulError(Exception):
    """Consul answered with an error status (or could not be reached: status None)."""

    def __init__(self, message, status=None, method=None, path=None, body=None, attempts=1):
        super().__init__(message)
        self.status = status
        self.method = method
        self.path = path
        self.body = body
        self.attempts = attempts


def _after(attempts):
    return " (after %d attempts)" % attempts if attempts > 1 else ""


def resolve_url(url=None, use_ssl=None):
    """Base URL from ``url``/CONSUL_HTTP_ADDR, choosing https when ``use_ssl`` is true.

    CONSUL_HTTP_ADDR may be ``host:port`` without a scheme; CONSUL_HTTP_SSL then
    picks the scheme, as the consul CLI does.
    """
    url = (url or DEFAULT_URL).strip()
    if "://" not in url:
        url = ("https://" if use_ssl else "http://") + url
    elif use_ssl and url.startswith("http://"):
        url = "https://" + url[len("http://"):]
    if not url.startswith(("http://", "https://")):
        raise ValueError("url must be http(s)://host:port, got %r" % (url,))
    return url.rstrip("/")


class ConsulClient:
    """Small HTTP client for Consul's config-entry API.

    ``timeout`` (s) is the deadline of each call as a whole; ``retries``, ``retry_delay``
    (s) and ``fail_fast_after`` configure the shared policy of ``module_utils/_http.py``;
    ``origin`` says where ``url`` came from, in words, in connection errors (None: not known).
    """

    def __init__(self, url=None, token=None, use_ssl=None, validate_certs=True, ca_path=None,
                 client_cert=None, client_key=None, namespace=None, partition=None,
                 datacenter=None, timeout=10, retries=3, retry_delay=0.5,
                 fail_fast_after=DEFAULT_FAIL_FAST_AFTER, pool_size=10, origin=None):
        if not HAS_REQUESTS:
            raise ConsulError("the python 'requests' library is required: %s" % REQUESTS_IMPORT_ERROR)
        self.url = resolve_url(url, use_ssl)
        self.token = token or None
        self.namespace = namespace or None
        self.partition = partition or None
        self.datacenter = datacenter or None
        self.session = BoundedSession("Consul", self.url, timeout=timeout, retries=retries,
                                      retry_delay=retry_delay, fail_fast_after=fail_fast_after,
                                      pool_size=pool_size, origin=origin)
        self.session.verify = ca_path if (ca_path and validate_certs) else bool(validate_certs)
        if client_cert:
            self.session.cert = (client_cert, client_key) if client_key else client_cert

    # -- transport ---------------------------------------------------------
    def _params(self, extra=None):
        params = {}
        if self.datacenter:
            params["dc"] = self.datacenter
        if self.namespace:
            params["ns"] = self.namespace
        if self.partition:
            params["partition"] = self.partition
        params.update(extra or {})
        return params

    @property
    def down(self):
        """The fast-fail message once Consul is taken as down (see ``_http``), else None."""
        return self.session.health.down

    def request(self, method, path, params=None, body=None, idempotent=None):
        """Send one request; return (status, parsed JSON or text).

        ``idempotent`` declares whether the call may be repeated after it was sent
        (None: by method, see ``_http``)."""
        headers = {"Accept": "application/json"}
        if self.token:
            headers["X-Consul-Token"] = self.token
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        query = self._params(params)
        try:
            with declare_idempotent(idempotent):
                resp = self.session.request(method, self.url + path, params=query, data=data, headers=headers)
        except requests.exceptions.RequestException as exc:
            clean = transport_error_message(exc) or "%s: %s" % (type(exc).__name__, exc)
            attempts = getattr(exc, "attempts", 1)
            raise ConsulError("Consul %s %s failed%s: %s" % (method, path, _after(attempts), clean),
                              method=method, path=path, attempts=attempts) from None
        return self._decode(method, path, resp, getattr(resp, "attempts", 1))

    def _decode(self, method, path, resp, attempt):
        text = resp.text or ""
        if resp.status_code >= 400:
            raise ConsulError(
                "Consul %s %s failed: HTTP %d: %s%s"
                % (method, path, resp.status_code, text.strip()[:2000] or resp.reason, _after(attempt)),
                status=resp.status_code, method=method, path=path, body=text, attempts=attempt)
        if not text.strip():
            return resp.status_code, None
        try:
            return resp.status_code, json.loads(text)
        except ValueError:
            return resp.status_code, text

    # -- config entries (https://developer.hashicorp.com/consul/api-docs/config)
    @staticmethod
    def _entry_path(kind, name=None):
        for label, value in (("kind", kind), ("name", name)):
            if value is not None and (not value or "/" in value):
                raise ValueError("config entry %s must be non-empty without '/', got %r" % (label, value))
        quote = requests.utils.quote
        path = "/v1/config/" + quote(kind, safe="")
        return path + ("/" + quote(name, safe="*") if name is not None else "")

    def get_config_entry(self, kind, name):
        """The entry as Consul returns it, or None when it does not exist (404)."""
        try:
            return self.request("GET", self._entry_path(kind, name))[1]
        except ConsulError as exc:
            if exc.status == 404:
                return None
            raise

    def list_config_entries(self, kind):
        return self.request("GET", self._entry_path(kind))[1] or []

    def put_config_entry(self, entry, cas=None):
        """Create/update; with ``cas`` the write only happens if ModifyIndex still matches.

        Returns Consul's boolean answer (False: the check-and-set did not match).
        """
        params = {} if cas is None else {"cas": str(int(cas))}
        return self.request("PUT", "/v1/config", params=params, body=entry, idempotent=cas is None)[1] is True

    def delete_config_entry(self, kind, name, cas=None):
        """Delete; with ``cas`` Consul answers true/false, without it an empty object."""
        params = {} if cas is None else {"cas": str(int(cas))}
        answer = self.request("DELETE", self._entry_path(kind, name), params=params,
                              idempotent=cas is None)[1]
        return answer is True if cas is not None else True
