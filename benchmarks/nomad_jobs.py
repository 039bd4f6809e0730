"""Benchmark: N Nomad jobs with agentfleet.hashistack.nomad_jobs (one task) vs
community.general.nomad_job in a loop, both against the same contract server.

Usage (from the repository root):
    .venv/bin/python benchmarks/nomad_jobs.py [--jobs 100] [--concurrency 8]

Prints wall times of the first apply and of a no-op re-run for both, and the ratios.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.net import free_port, wait_for_port  # noqa: E402


def job(job_id):
    return {"ID": job_id, "Name": job_id, "Type": "service", "Datacenters": ["dc1"],
            "Meta": {"agentfleet_fleet": "bench"},
            "TaskGroups": [{"Name": "agent", "Count": 1, "Tasks": [{
                "Name": "agent", "Driver": "docker", "Config": {"image": "registry.local/agent:1"},
                "Resources": {"CPU": 100, "MemoryMB": 128}}]}]}


def write_playbooks(tmp, n, port, concurrency):
    ours = [{"Job": job("bench-af-%03d" % i)} for i in range(n)]
    theirs = [json.dumps(job("bench-cg-%03d" % i)) for i in range(n)]
    (tmp / "jobs.json").write_text(json.dumps({"ours": ours, "theirs": theirs}))
    common = {"hosts": "localhost", "gather_facts": False, "vars_files": [str(tmp / "vars.yml")]}
    (tmp / "vars.yml").write_text(yaml.safe_dump({"bench": {"ours": ours, "theirs": theirs}}))
    plays = {
        "ours": [dict(common, name="agentfleet", tasks=[{
            "name": "apply all jobs in one task",
            "agentfleet.hashistack.nomad_jobs": {"jobs": "{{ bench.ours }}", "concurrency": concurrency,
                                                 "address": "http://127.0.0.1:%d" % port}}])],
        "theirs": [dict(common, name="community.general", tasks=[{
            "name": "apply one job per loop item",
            "community.general.nomad_job": {"host": "127.0.0.1", "port": port, "use_ssl": False,
                                            "state": "present", "content_format": "json",
                                            "content": "{{ item }}"},
            "loop": "{{ bench.theirs }}"}])],
    }
    for name, play in plays.items():
        (tmp / ("%s.yml" % name)).write_text(yaml.safe_dump(play, sort_keys=False))
    (tmp / "inventory.yml").write_text(yaml.safe_dump({"all": {"hosts": {"localhost": {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}))


def run(tmp, name):
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
               ANSIBLE_LOCAL_TEMP=str(tmp / ".ansible-tmp"), PYTHONWARNINGS="ignore")
    env.pop("NOMAD_TOKEN", None)
    cmd = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(tmp / "inventory.yml"),
           str(tmp / ("%s.yml" % name))]
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=str(REPO), env=env, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit("%s failed (rc=%s):\n%s\n%s" % (name, proc.returncode, proc.stdout[-3000:], proc.stderr[-2000:]))
    stats = json.loads(proc.stdout[proc.stdout.find("{"):])["stats"]["localhost"]
    return elapsed, stats["changed"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "tests.support.nomad_api", "--port", str(port)],
                              cwd=str(REPO), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port("127.0.0.1", port)
        with tempfile.TemporaryDirectory(prefix="nomad-bench-") as tmpdir:
            tmp = Path(tmpdir)
            write_playbooks(tmp, args.jobs, port, args.concurrency)
            times = {}
            for name in ("ours", "theirs"):
                for phase in ("apply", "noop"):
                    times[name, phase] = run(tmp, name)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print("N=%d jobs against the Nomad contract server (ACLs off), concurrency=%d" % (args.jobs, args.concurrency))
    print("%-44s %10s %10s" % ("", "apply", "no-op"))
    labels = {"ours": "agentfleet.hashistack.nomad_jobs (1 task)",
              "theirs": "community.general.nomad_job (loop of %d)" % args.jobs}
    for name in ("ours", "theirs"):
        print("%-44s %9.2fs %9.2fs" % (labels[name], times[name, "apply"][0], times[name, "noop"][0]))
    ratio_apply = times["theirs", "apply"][0] / times["ours", "apply"][0]
    ratio_noop = times["theirs", "noop"][0] / times["ours", "noop"][0]
    print("%-44s %9.1fx %9.1fx" % ("speed-up (community / agentfleet)", ratio_apply, ratio_noop))
    print("changed tasks: agentfleet apply=%d noop=%d; community apply=%d noop=%d" % (
        times["ours", "apply"][1], times["ours", "noop"][1], times["theirs", "apply"][1], times["theirs", "noop"][1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
