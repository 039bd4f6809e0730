#!/usr/bin/env python
"""Benchmark: apply a generated fleet of N agents end to end, then re-apply (no-op).

    .venv/bin/python benchmarks/fleet_apply.py [--agents 300] [--tenants 10] [--concurrency 16] [--profile] [--no-plan-cache]

Starts its own Nomad and Consul contract servers (one process each, like real servers)
and a real OpenBao dev server on loopback, writes the generated spec to a JSON file,
runs ``playbooks/fleet.yml -e fleet_file=<it>`` twice and prints both wall times (the
whole ``ansible-playbook`` process each time) with the per-backend object counts.
Target on the project machine: first apply under 30 s, no-op re-run under 10 s.
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.net import free_port  # noqa: E402
from tests.support.openbao import DevServer  # noqa: E402
from tests.support.playbook import run_playbook  # noqa: E402

KINDS = ("service", "service", "batch", "periodic", "dispatch")


def _image(name):
    return f"registry.example.com/agents/{name}@sha256:{hashlib.sha256(name.encode()).hexdigest()}"


def _agent(i, tenant, services):
    kind = KINDS[i % len(KINDS)]
    name = f"agent-{i:04d}"
    a = {"name": name, "kind": kind, "image": _image(name), "version": f"1.{i % 10}.0",
         "resources": {"cpu": 100 + i % 200, "memory": 128 + i % 128},
         "ports": {"http": {"to": 8080}}, "env": {"MODEL": "small", "SLOT": str(i)},
         "secrets": [{"path": f"{tenant}/{name}/llm", "env": {"LLM_KEY": "api_key"}}]}
    if kind == "service":
        a.update(count=1, checks={"readiness": {"type": "http", "path": "/ready"},
                                  "liveness": {"type": "http", "path": "/live"}})
        if i % 4 == 0:
            a["scaling"] = {"min": 1, "max": 3, "policy": {"type": "queue_depth", "query": "sum(q)", "target": 10}}
    elif kind == "batch":
        a["max_run_duration"] = "1h"
    elif kind == "periodic":
        a["schedule"] = {"crons": ["0 */2 * * *"], "time_zone": "UTC"}
    else:
        a["dispatch"] = {"payload": "optional", "meta_required": ["item"]}
    others = [s for s in services if s != name]
    if others:
        a["upstreams"] = [{"service": others[i % len(others)], "local_port": 9001, "request_timeout": "10s",
                           "limits": {"max_connections": 50}}]
    return a


def generate(agents, tenants):
    spec = {"name": "bench", "revision": "b1",
            "defaults": {"telemetry": {"endpoint": "http://otel:4317"},
                         "vault": {"jwt_mount": "jwt-bench", "kv_mount": "kv-bench"}},
            "guardrails": {"allowed_registries": ["registry.example.com/agents"],
                           "max_replicas_per_tenant": 10 * agents},
            "tenants": {}}
    per, i = agents // tenants, 0
    for t in range(tenants):
        tenant = f"tenant-{t:02d}"
        count = per if t < tenants - 1 else agents - i
        ids = list(range(i, i + count))
        services = [f"agent-{j:04d}" for j in ids if KINDS[j % len(KINDS)] == "service"]
        spec["tenants"][tenant] = {"agents": [_agent(j, tenant, services) for j in ids]}
        i += count
    return spec


def start_server(module, args):
    """A contract server in its own process; returns (process, {VAR: value}) from its banner."""
    proc = subprocess.Popen([sys.executable, "-m", module, "--port", str(free_port()), *args], cwd=str(REPO),
                            stdout=subprocess.PIPE, text=True)
    env = {}
    while len(env) < 2:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit(f"{module} did not start")
        key, _sep, value = line.strip().partition("=")
        env[key] = value
    return proc, env


def apply(spec_file, work, env, concurrency, label, profile=False, plan_cache=True):
    """One ``ansible-playbook`` run with the default (human) output, as a user runs it."""
    if profile:
        env = dict(env, ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks")
    start = time.perf_counter()
    run = run_playbook((REPO / "playbooks" / "fleet.yml").read_text(), tmp_path=work / label, env=env,
                       callback="default",
                       extra_vars={"fleet_file": str(spec_file), "agent_fleet_work_dir": str(work / "bundle"),
                                   "agent_fleet_concurrency": concurrency, "agent_fleet_wait_interval": 0.2,
                                   "agent_fleet_nomad_plan_cache": plan_cache})
    wall = time.perf_counter() - start
    if run.rc != 0:
        print(run)
        raise SystemExit(f"{label}: ansible-playbook failed (rc={run.rc})")
    if profile:
        print(run.stdout[run.stdout.find("TASKS RECAP"):])
    changed = re.search(r"localhost\s*:\s*ok=\d+\s+changed=(\d+)", run.stdout)
    report = re.findall(r'"\d+ agents: (\d+ unchanged, \d+ updated, \d+ failed, \d+ not_applied, \d+ reverted, \d+ pruned)"', run.stdout)
    return wall, int(changed.group(1)) if changed else -1, report[-1] if report else "(no report)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=300)
    parser.add_argument("--tenants", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--profile", action="store_true", help="print per-task times (ansible.posix.profile_tasks)")
    parser.add_argument("--no-plan-cache", action="store_true", help="plan every Nomad job on the no-op run too")
    args = parser.parse_args()
    spec = generate(args.agents, args.tenants)
    with tempfile.TemporaryDirectory(prefix="fleet-apply-bench-") as tmp:
        work = Path(tmp)
        spec_file = work / "fleet.json"
        spec_file.write_text(json.dumps(spec))
        bao = DevServer(work / "openbao").start()
        procs = []
        try:
            nomad, nomad_env = start_server("tests.support.nomad_api", ["--acl", "--settle-delay", "0.05"])
            procs.append(nomad)
            consul, consul_env = start_server("tests.support.consul_api", [])
            procs.append(consul)
            env = dict(bao.env, **nomad_env, **consul_env)
            first, changed1, report1 = apply(spec_file, work, env, args.concurrency, "first", args.profile)
            second, changed2, report2 = apply(spec_file, work, env, args.concurrency, "noop", args.profile,
                                              plan_cache=not args.no_plan_cache)
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=10)
            bao.stop()
    print(f"agents={args.agents} tenants={args.tenants} concurrency={args.concurrency} cpus={os.cpu_count()} "
          f"plan_cache={'off' if args.no_plan_cache else 'on'}")
    print(f"first apply: {first:.1f}s  changed tasks={changed1}  report: {report1}")
    print(f"no-op re-run: {second:.1f}s  changed tasks={changed2}  report: {report2}")
    print(f"load_avg={os.getloadavg()[0]:.1f} (wall times stretch when other work shares the cores)")
    ok = first < 30 and second < 10 and changed2 == 0 and report2.startswith(f"{args.agents} unchanged")
    print("target (first < 30 s, no-op < 10 s with zero changes):", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
