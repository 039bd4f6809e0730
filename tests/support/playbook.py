"""Run ansible-playbook against localhost and read its results as data.

Integration tests drive modules the way users do: a real ``ansible-playbook`` process
using this repository's ansible.cfg (so ``agentfleet.hashistack.*`` resolves to the
working tree). The JSON callback gives every task's result per host.

The ``ansible-playbook`` run is the one next to the test interpreter (``sys.executable``),
so pytest from ``.venv-core2.17/bin`` drives ansible-core 2.17 whatever ``PATH`` says.
"""
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


@dataclass
class PlaybookRun:
    rc: int
    stdout: str
    stderr: str
    results: list = field(default_factory=list)  # [{"task", "action", "result"}]
    stats: dict = field(default_factory=dict)

    @property
    def output(self):
        return self.stdout + self.stderr

    def result(self, name):
        """The result of the (last) task called ``name``."""
        found = [r["result"] for r in self.results if r["task"] == name]
        if not found:
            raise KeyError(f"no task named {name!r}; tasks: {[r['task'] for r in self.results]}")
        return found[-1]

    @property
    def changed(self):
        return [r["task"] for r in self.results if r["result"].get("changed")]

    @property
    def failed(self):
        return [r["task"] for r in self.results if r["result"].get("failed")]

    def __str__(self):
        return f"rc={self.rc}\nSTDOUT:\n{self.stdout[-6000:]}\nSTDERR:\n{self.stderr[-3000:]}"


def _parse_json_callback(stdout):
    # The JSON document is the first line that starts with "{"; lines the plugins print
    # while tasks run (the wait phase's progress lines) come before it and may hold braces.
    start = re.search(r"^\{", stdout, re.M)
    if start is None:
        return [], {}
    data = json.loads(stdout[start.start():])
    results = []
    for play in data.get("plays", []):
        for task in play.get("tasks", []):
            for _host, res in task.get("hosts", {}).items():
                results.append({
                    "task": task["task"]["name"],
                    "action": res.get("action"),
                    "result": res,
                })
    return results, data.get("stats", {})


def run_playbook(tasks, *, tmp_path, env=None, check=False, diff=False, extra_vars=None,
                 verbosity=0, callback="json", gather_facts=False, module_defaults=None,
                 vars=None, timeout=900):
    """Run ``tasks`` (a list of task dicts, or a whole playbook as YAML text) on localhost.

    ``callback="json"`` parses per-task results into ``PlaybookRun.results``; any other
    value (e.g. ``"default"``) keeps ansible's normal text output for leak checks.
    """
    tmp_path = Path(tmp_path)
    tmp_path.mkdir(parents=True, exist_ok=True)
    if isinstance(tasks, str):
        play_text = tasks
    else:
        play = {"name": "test", "hosts": "localhost", "gather_facts": gather_facts, "tasks": tasks}
        if module_defaults:
            play["module_defaults"] = module_defaults
        if vars:
            play["vars"] = vars
        play_text = yaml.safe_dump([play], sort_keys=False)
    playbook = tmp_path / "playbook.yml"
    playbook.write_text(play_text)
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {"localhost": {
        "ansible_connection": "local",
        "ansible_python_interpreter": sys.executable,
    }}}}))

    cmd = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(inventory), str(playbook)]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    if verbosity:
        cmd.append("-" + "v" * verbosity)
    if extra_vars:
        extra = tmp_path / "extra_vars.json"
        extra.write_text(json.dumps(extra_vars))
        cmd += ["-e", f"@{extra}"]

    run_env = dict(os.environ)
    run_env.update({
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / ".ansible-tmp"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "PYTHONWARNINGS": "ignore",
    })
    if callback == "json":
        run_env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.posix.json"
    else:
        run_env["ANSIBLE_STDOUT_CALLBACK"] = callback
    if env:
        run_env.update({k: str(v) for k, v in env.items()})
    proc = subprocess.run(cmd, cwd=str(REPO), env=run_env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    run = PlaybookRun(proc.returncode, proc.stdout, proc.stderr)
    if callback == "json":
        try:
            run.results, run.stats = _parse_json_callback(proc.stdout)
        except json.JSONDecodeError:
            pass  # left empty; callers assert on rc and output
    return run
