# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Base of the fleet_* action plugins: they run the bulk sync code on the controller.

Running in the controller's worker process (no module upload, no second Python
interpreter) saves about a second per phase, which matters for a fleet apply.
"""
from __future__ import annotations

import os

from ansible.plugins.action import ActionBase

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply import bundle as bundles
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.results import (
    failure_message, module_result)


# Options of the actions that read a fleet spec (fleet_render, fleet_bundle): the spec
# inline or as a file (exactly one, see ``spec_args``), and the job template folders.
SPEC_OPTIONS = {
    "spec": {"type": "dict"},
    "src": {"type": "path"},
    "key": {"type": "str", "no_log": False},
    "templates_dir": {"type": "path"},
    "template_dirs": {"type": "list", "elements": "path"},
    "build_records_dir": {"type": "path"},
    "build_record_max_age": {"type": "str"},
}


def build_records(args, base):
    """The operator's ``BuildRecords`` from the ``build_records_dir`` / ``build_record_max_age``
    options (the folder resolved like ``template_dirs``); FleetSpecError naming a folder that
    is not a directory, ValueError for a bad maximum age."""
    from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.build_records import BuildRecords
    from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import FleetSpecError, SpecError
    from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.spec_source import resolve_path
    directory = args.get("build_records_dir")
    if directory:
        directory = resolve_path(directory, base)
        if not os.path.isdir(directory):
            raise FleetSpecError([SpecError("build_records_dir", "is not a directory; name the folder the "
                                            "agent_image role writes its build records to", directory)])
    return BuildRecords(directory, args.get("build_record_max_age"))


def spec_args(action, argspec, task_vars):
    """(validated task args, playbook directory or None) of a spec-reading action
    (``argspec`` holds SPEC_OPTIONS); relative spec and template paths resolve from that
    directory."""
    _validation, args = action.validate_argument_spec(
        argument_spec=argspec, mutually_exclusive=[("spec", "src")], required_one_of=[("spec", "src")])
    return args, (task_vars or {}).get("playbook_dir")


class SpecAction(ActionBase):
    """Base of the spec-reading actions (fleet_render, fleet_bundle): a subclass sets
    ``ARGSPEC`` (SPEC_OPTIONS and its own) and ``execute(result, args, base)``, called with
    the validated arguments and the folder relative paths resolve from."""

    TRANSFERS_FILES = False
    ARGSPEC = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._VALID_ARGS = frozenset(cls.ARGSPEC)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args, base = spec_args(self, self.ARGSPEC, task_vars)
        return self.execute(result, args, base)

    def execute(self, result, args, base):
        raise NotImplementedError


class FleetActionFailed(Exception):
    """Stop the action with ``msg`` and extra result keys."""

    def __init__(self, msg, **extra):
        super().__init__(msg)
        self.extra = extra


class FleetAction(ActionBase):
    """A subclass sets ``ARGSPEC`` (its options; the task may use them and their aliases)
    and ``execute(params)``; an option ``concurrency`` is checked to be >= 1 before it runs."""

    TRANSFERS_FILES = False
    ARGSPEC = {}
    MUTUALLY_EXCLUSIVE = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        names = set(cls.ARGSPEC)
        for option in cls.ARGSPEC.values():
            names.update(option.get("aliases") or ())
        cls._VALID_ARGS = frozenset(names)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _validation, params = self.validate_argument_spec(
            argument_spec=self.ARGSPEC, mutually_exclusive=list(self.MUTUALLY_EXCLUSIVE))
        self.check = bool(self._task.check_mode)
        self.diff = bool(self._task.diff)
        try:
            if "concurrency" in self.ARGSPEC:
                check_concurrency(params)
            out = self.execute(params)
        except FleetActionFailed as exc:
            result.update(exc.extra)
            result.update(failed=True, msg=str(exc))
            return result
        result.update(out)
        return result

    def execute(self, params):
        raise NotImplementedError

    def finish(self, results, fail=True, down=None, **extra):
        """The usual result of a bulk phase; raises when any object failed and ``fail``.

        Ansible's ``diff`` (raw before/after per changed object) is returned in diff mode
        with ``-v`` or more only. ``down`` is the client's fast-fail message (``client.down``): when set, it is
        the one message of the failure instead of one line per object not applied.
        """
        # Raw before/after (Ansible's --diff) only with -v as well: at normal verbosity the
        # role's plan (fleet_plan) is what people read, and hundreds of job diffs would bury it.
        out, failures = module_result(results, self.diff and self._display.verbosity >= 1)
        out.update(extra)
        if failures and fail:
            if down:
                raise FleetActionFailed("%s; %d of %d objects not applied" % (down, len(failures), len(results)),
                                        **out)
            raise FleetActionFailed(failure_message(failures, len(results)), **out)
        return out


def connect(client_from_params, params, **options):
    """A backend client built by its ``<backend>/_module.client_from_params(params, **options)``,
    the one way modules build theirs; a bad connection option (ValueError) stops the action
    with its message. Backend errors (ConsulError, VaultModuleError) are left to the caller."""
    try:
        return client_from_params(params, **options)
    except ValueError as exc:
        raise FleetActionFailed(str(exc)) from None


def load_bundle(params, bare_phase, bare, needs):
    """The bundle at ``params["bundle"]``; without one, ``bare`` (a dict) when the phase is
    ``bare_phase`` and ``params["fleet"]`` is set (a phase that needs only the fleet name and
    ``needs``, in words, such as a kill switch). A bad bundle or neither stops the action."""
    if params["bundle"]:
        try:
            return bundles.load(params["bundle"])
        except bundles.BundleError as exc:
            raise FleetActionFailed(str(exc)) from None
    if params["phase"] == bare_phase and params["fleet"]:
        return bare
    raise FleetActionFailed("bundle is required for phase=%s (%s for phase=%s)"
                            % (params["phase"], needs, bare_phase))


# Options of the bulk phases that may apply part of a fleet or adopt unowned objects.
SUBSET_OPTIONS = {
    "tenants": {"type": "list", "elements": "str", "default": []},
    "agents": {"type": "list", "elements": "str", "default": []},
    "adopt": {"type": "bool", "default": False},
}


def select(data, params):
    """``data`` (a bundle) narrowed to ``params["tenants"]`` / ``params["agents"]``
    (``bundle.narrow``; both empty: the whole fleet). A malformed name stops the action
    before anything is written; a well-formed name the spec does not have selects nothing
    here (fleet_bundle refuses it before any phase runs, unless the run prunes)."""
    tenants, agents = bundles.selection_names(params["tenants"]), bundles.selection_names(params["agents"])
    if not tenants and not agents:
        return data
    errors = bundles.selection_errors(data, tenants, agents, allow_absent=True)
    if errors:
        raise FleetActionFailed("; ".join(errors) + "; nothing was changed", errors=errors)
    return bundles.narrow(data, tenants, agents)


def check_concurrency(params):
    if params["concurrency"] < 1:
        raise FleetActionFailed("concurrency: must be >= 1, got %s" % params["concurrency"])
