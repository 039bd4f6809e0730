"""Helpers for the contract server's own tests (plain HTTP with requests)."""
import time

import requests


class Client:
    """Tiny HTTP helper bound to one server and token."""

    def __init__(self, api, token):
        self.api = api
        self.token = token

    def call(self, method, path, body=None, token=None, **params):
        headers = {}
        tok = self.token if token is None else token
        if tok:
            headers["X-Nomad-Token"] = tok
        return requests.request(method, self.api.addr + path, json=body, params=params,
                                headers=headers, timeout=10)

    def wait_for(self, predicate, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.02)
        raise AssertionError("condition not reached in time")

    def poll(self, path, accept, timeout=5.0):
        """GET ``path`` until ``accept(body)`` holds; return that body."""
        def fetch():
            body = self.call("GET", path).json()
            return body if accept(body) else None
        return self.wait_for(fetch, timeout)


def service_job(job_id="web", count=2, **extra):
    job = {"ID": job_id, "Name": job_id, "Type": "service", "Datacenters": ["dc1"],
           "TaskGroups": [{"Name": "app", "Count": count,
                           "Tasks": [{"Name": "main", "Driver": "docker",
                                      "Config": {"image": "nginx:1.27"},
                                      "Resources": {"CPU": 100, "MemoryMB": 128}}]}]}
    job.update(extra)
    return job


def batch_job(job_id="once", **extra):
    job = service_job(job_id, count=1, Type="batch")
    job.update(extra)
    return job
