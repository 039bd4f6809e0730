# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Job templates as data: a sandboxed Jinja2 environment reading only operator-named folders.

A spec names a template (``template: examples/x.json.j2``) but never where templates
live: the folders are the operator's (action option ``template_dirs``, role variable
``agent_fleet_template_dirs``, ``templates_dir``, and the built-in ``nomad-jobs/``).

- ``template_name_error(name)``: why a spec ``template:`` value is not a safe name, or None.
- ``resolve(name, folders)``: the real path of ``name`` inside the first folder that has it;
  symlinks are followed and the target must stay inside that folder.
- ``environment(folders)``: an ``ImmutableSandboxedEnvironment`` (no access to Python
  internals, no mutation of the context) whose loader uses ``resolve``.
- ``render(template, context)``: the text, within output, loop and time budgets.

Budgets (``MAX_*``) stop a template from exhausting the controller; ``TemplateBudgetError``
(a ``jinja2.TemplateError`` subclass, built lazily) says which one was hit.
"""
from __future__ import annotations

import json
import os
import re
import signal
import threading
import time

MAX_TEMPLATE_BYTES = 256 * 1024      # size of one template file
MAX_OUTPUT_CHARS = 4 * 1024 * 1024   # rendered text of one job
MAX_ITERATIONS = 100_000             # items produced by range() in one render
MAX_SEQUENCE = 100_000               # length of a string/list built by * or %
MAX_SECONDS = 5.0                    # wall time of one render
MAX_CPU_SECONDS = 2.0                # CPU time of one render (a job renders in milliseconds)
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*\Z")
_NAME_HINT = ("write a relative path of letters, digits, '_', '-' and '.' segments inside an operator "
              "template folder (for example examples/service-spread.json.j2), without '..', a leading "
              "'/' or '.'")
_FORMAT_WIDTH = re.compile(r"%[-+ #0]*(\*|\d{4,})|\{[^}]*:[^}]*(\d{4,})")
# str methods whose output size is set by an argument
_SIZED_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs", "format", "format_map"}


def template_name_error(name):
    """Why ``name`` cannot be a spec ``template:`` value (a message), or None when it can."""
    if not isinstance(name, str):
        return f"must be a string; {_NAME_HINT}"
    if len(name) > 255 or not _NAME.match(name) or any(part == ".." for part in name.split("/")):
        return f"is not an allowed template name; {_NAME_HINT}"
    return None


def resolve(name, folders):
    """Real path of template ``name`` inside the first of ``folders`` holding it (a regular
    file whose real path, symlinks resolved, lies inside that folder's real path).
    Raises LookupError naming what was searched."""
    problem = template_name_error(name)
    if problem:
        raise LookupError(f"template {problem}")
    escaped = []
    for folder in folders:
        root = os.path.realpath(folder)
        candidate = os.path.realpath(os.path.join(root, *name.split("/")))
        if not os.path.lexists(os.path.join(root, *name.split("/"))):
            continue
        if os.path.commonpath([root, candidate]) != root:
            escaped.append(folder)
            continue
        if os.path.isfile(candidate):
            return candidate
    if escaped:
        raise LookupError(f"template {name!r} resolves outside its template folder {escaped[0]} (a symlink "
                          "escape); templates must be regular files inside an operator template folder")
    raise LookupError(f"template {name!r} not found in the operator template folders "
                      f"({', '.join(map(str, folders)) or 'none'}); add its folder to template_dirs "
                      "(role variable agent_fleet_template_dirs)")


_CLASSES = {}


def _classes():
    """Jinja2 classes built on first use (jinja2 is a controller dependency, imported lazily)."""
    if _CLASSES:
        return _CLASSES
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class TemplateBudgetError(jinja2.TemplateError):
        """A template exceeded a render budget (size, loop, output or time)."""

    class FolderLoader(jinja2.BaseLoader):
        def __init__(self, folders):
            self.folders = [os.fspath(f) for f in folders]

        def get_source(self, environment, template):
            try:
                path = resolve(template, self.folders)
            except LookupError as exc:
                raise jinja2.TemplateNotFound(template, str(exc)) from None
            if os.path.getsize(path) > MAX_TEMPLATE_BYTES:
                raise TemplateBudgetError(f"template {template!r} is larger than {MAX_TEMPLATE_BYTES} bytes")
            with open(path, encoding="utf-8") as handle:
                source = handle.read()
            mtime = os.path.getmtime(path)
            return source, path, lambda: os.path.isfile(path) and os.path.getmtime(path) == mtime

    class Sandbox(ImmutableSandboxedEnvironment):
        """Sandbox plus budgets: sized string/list building is bounded, and every attribute,
        call and operator checks the render deadline."""
        intercepted_binops = frozenset(["*", "**", "%"])
        deadline = None
        budget = MAX_ITERATIONS

        def bounded_range(self, *args):
            items = range(*args)
            self.budget -= len(items)
            if self.budget < 0:
                raise TemplateBudgetError(f"template: range() over more than {MAX_ITERATIONS} items in one render")
            return items

        def tick(self):
            if self.deadline is not None and time.monotonic() > self.deadline:
                raise TemplateBudgetError(f"template took longer than {MAX_SECONDS:g} s")

        def call_binop(self, context, operator, left, right):
            self.tick()
            if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
                raise TemplateBudgetError("template: exponent larger than 64")
            if operator == "*":
                for seq, n in ((left, right), (right, left)):
                    if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_SEQUENCE:
                        raise TemplateBudgetError(f"template: sequence longer than {MAX_SEQUENCE}")
            if operator == "%" and isinstance(left, str) and _FORMAT_WIDTH.search(left):
                raise TemplateBudgetError("template: format width of 1000 or more")
            return super().call_binop(context, operator, left, right)

        def getattr(self, obj, attribute):
            self.tick()
            return super().getattr(obj, attribute)

        def getitem(self, obj, argument):
            self.tick()
            return super().getitem(obj, argument)

        def call(self, context, obj, *args, **kwargs):
            self.tick()
            if getattr(obj, "__self__", None).__class__ is str and getattr(obj, "__name__", "") in _SIZED_METHODS:
                raise TemplateBudgetError(f"template: str.{obj.__name__}() is not allowed; use tojson")
            return super().call(context, obj, *args, **kwargs)

    _CLASSES.update(jinja2=jinja2, Sandbox=Sandbox, FolderLoader=FolderLoader,
                    TemplateBudgetError=TemplateBudgetError)
    return _CLASSES


def _not_json(value):
    str(value)  # an Undefined raises its UndefinedError here, naming the missing variable
    raise TypeError(f"{type(value).__name__} is not JSON data")


def _tojson(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False, default=_not_json)


_ENVIRONMENTS = {}


def environment(folders):
    """The sandboxed environment reading templates from ``folders`` (in order); one per folder
    list (compiled templates are cached and re-read when a file's modification time changes)."""
    key = tuple(os.fspath(f) for f in folders)
    if key not in _ENVIRONMENTS:
        c = _classes()
        env = c["Sandbox"](loader=c["FolderLoader"](key), undefined=c["jinja2"].StrictUndefined,
                           autoescape=False, keep_trailing_newline=True)
        env.filters["tojson"] = _tojson
        for name in ("center", "indent", "wordwrap", "format", "truncate"):
            env.filters.pop(name, None)  # output size set by an argument
        env.globals.pop("lipsum", None)
        env.globals["range"] = env.bounded_range
        _ENVIRONMENTS[key] = env
    return _ENVIRONMENTS[key]


def render(template, context):
    """Render ``template`` with ``context`` within the budgets; TemplateError on any failure."""
    c = _classes()
    env = template.environment
    env.budget = MAX_ITERATIONS
    env.deadline = time.monotonic() + MAX_SECONDS
    previous = _arm_cpu_timer(c["TemplateBudgetError"])
    try:
        out, size = [], 0
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise c["TemplateBudgetError"](f"template output is larger than {MAX_OUTPUT_CHARS} characters")
            env.tick()
            out.append(chunk)
        return "".join(out)
    except c["jinja2"].TemplateError:
        raise
    except (RecursionError, MemoryError, OverflowError) as exc:
        raise c["TemplateBudgetError"](f"template exhausted a limit ({type(exc).__name__})") from None
    except Exception as exc:  # any error inside a template is the template's, reported without a traceback
        raise c["jinja2"].TemplateError(f"{type(exc).__name__}: {exc}") from None
    finally:
        env.deadline = None
        _disarm_cpu_timer(previous)


def _arm_cpu_timer(error):
    """A CPU-time limit for loops that call nothing the sandbox sees (``for`` over a string):
    ITIMER_VIRTUAL/SIGVTALRM, which nothing else in Ansible uses. Only in the main thread
    (where Python delivers signals); elsewhere the per-operation deadline still applies."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        return None

    def on_timeout(_signum, _frame):
        raise error(f"template used more than {MAX_CPU_SECONDS:g} s of CPU")

    previous = signal.signal(signal.SIGVTALRM, on_timeout)
    signal.setitimer(signal.ITIMER_VIRTUAL, MAX_CPU_SECONDS)
    return previous or signal.SIG_DFL


def _disarm_cpu_timer(previous):
    if previous is not None:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


def errors():
    """The exception classes a caller catches: (jinja2.TemplateError, SecurityError is a subclass)."""
    return (_classes()["jinja2"].TemplateError,)
