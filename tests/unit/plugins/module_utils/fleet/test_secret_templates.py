"""A secret key missing in Vault fails the task's template instead of rendering empty.

Nomad's Template.ErrMissingKey (api/tasks.go; HCL error_on_missing_key) makes
consul-template execute with Go's missingkey=error, which applies to field access
(.Data.data.key) but not to the index function (golang/go#60008). So every read of a
KV key in a rendered template must be field access, or guarded so that a missing key
is an execution error.
"""
import re

from tests.support.nomad_api.control import NomadApi

from . import specs
from .conftest import render_spec

ACTION = re.compile(r"{{(.*?)}}", re.S)
FIELD = re.compile(r"^\s*\.Data\.data\.[A-Za-z_][A-Za-z0-9_]*\s*$")
GUARD = re.compile(r'^\s*if eq \(printf "%T" \(index \.Data\.data "(?P<key>[^"]+)"\)\) "<nil>"\s*$')


def _fleet():
    api = specs.service("api", secrets=[{"path": "team/api/llm",
                                         "env": {"LLM_KEY": "api_key", "LLM_ORG": "org-id"}}])
    worker = specs.dispatch()
    worker["secrets"] = [{"path": "team/worker/db", "files": {"db.pass": "password",
                                                              "db.user": "user.name"}}]
    return specs.fleet([api, worker])


def _templates(spec):
    for job in render_spec(spec).jobs:
        for group in job["job"]["Job"]["TaskGroups"]:
            for task in group["Tasks"]:
                yield from task.get("Templates") or []


def _unsafe_reads(text):
    """Reads of .Data.data that would render empty for a missing key."""
    actions = [a.strip() for a in ACTION.findall(text)]
    unsafe = []
    for i, action in enumerate(actions):
        if ".Data.data" not in action or FIELD.match(action) or GUARD.match(action):
            continue
        guard = GUARD.match(actions[i - 3]) if i >= 3 else None
        ok = (action.startswith("index .Data.data ") and guard is not None
              and actions[i - 2].startswith("template ") and actions[i - 1] == "end"
              and action == f'index .Data.data "{guard.group("key")}"')
        if not ok:
            unsafe.append(action)
    return unsafe


def test_every_secret_read_fails_on_a_missing_key():
    templates = [t for t in _templates(_fleet()) if "with secret" in t["EmbeddedTmpl"]]
    assert len(templates) == 3  # one env file, two secret files
    for tmpl in templates:
        assert tmpl["ErrMissingKey"] is True
        assert _unsafe_reads(tmpl["EmbeddedTmpl"]) == [], tmpl["EmbeddedTmpl"]


def test_identifier_keys_use_field_access_and_others_name_the_missing_key():
    texts = "\n".join(t["EmbeddedTmpl"] for t in _templates(_fleet()))
    assert "LLM_KEY={{ .Data.data.api_key }}" in texts
    assert "{{ .Data.data.password }}" in texts
    assert '{{ template "agentfleet: key org-id is missing in secret/data/team/api/llm" }}' in texts
    assert '{{ template "agentfleet: key user.name is missing in secret/data/team/worker/db" }}' in texts


def test_contract_server_accepts_and_keeps_err_missing_key():
    rendered = render_spec(_fleet())
    api = NomadApi(acl=False)
    try:
        job = next(j for j in rendered.jobs if j["agent"] == "api")["job"]["Job"]
        api._api("POST", f"/v1/namespace/{job['Namespace']}", {"Name": job["Namespace"]})
        api._api("POST", "/v1/jobs", {"Job": job})
        stored = api.jobs(job["Namespace"])[job["ID"]]
        templates = stored["TaskGroups"][0]["Tasks"][0]["Templates"]
        assert templates and all(t["ErrMissingKey"] is True for t in templates)
    finally:
        api.stop()
