"""TEST INFRASTRUCTURE: query HTTPS APIs in a loop while something happens to them (a TLS
rotation), one new connection per request, and report every failure and every certificate
seen. Standard library only, so Molecule's side_effect runs it with the controller Python:

    python tests/support/tls_probe.py --targets FILE --stop-file PATH [--interval 0.1]
                                      [--max-seconds 600]

FILE is a JSON list of ``{"name", "addr", "port", "path", "ca_file", "expect"}`` (other
keys are ignored): ``expect`` is ``"200"``
(the status must be 200) or ``"leader"`` (200 and a non-empty leader address, as
``/v1/status/leader`` answers). The loop stops when PATH exists or after --max-seconds,
then prints one JSON object: ``{"rounds", "seconds", "targets": {name: {"ok", "failed",
"errors": [first 10 "t=<s> <what>"], "serials": [served serials, hex, in order of first
sight]}}}``. Each request has a 5 s timeout; the certificate is verified against
``ca_file`` (hostname not checked: the probe addresses nodes by IP).
"""
import argparse
import http.client
import json
import os
import ssl
import time

REQUEST_TIMEOUT_S = 5.0
MAX_ERRORS_KEPT = 10


def _context(ca_file):
    ctx = ssl.create_default_context(cafile=ca_file)
    ctx.check_hostname = False  # verified chain, any name: nodes are addressed by IP
    return ctx


def probe_once(target, ctx):
    """``(serial hex or None, error text or "")`` for one request to ``target``."""
    conn = http.client.HTTPSConnection(target["addr"], int(target["port"]), context=ctx,
                                       timeout=REQUEST_TIMEOUT_S)
    serial = None
    try:
        conn.connect()
        serial = conn.sock.getpeercert()["serialNumber"]
        conn.request("GET", target["path"])
        resp = conn.getresponse()
        body = resp.read().decode("utf-8", "replace").strip()
        if resp.status != 200:
            return serial, "HTTP %d %s" % (resp.status, body[:120])
        if target.get("expect") == "leader" and body in ("", '""'):
            return serial, "no leader"
        return serial, ""
    except (OSError, ssl.SSLError, http.client.HTTPException) as exc:
        return serial, "%s: %s" % (type(exc).__name__, exc)
    finally:
        conn.close()


def run(targets, stop_file, interval, max_seconds):
    """Probe every target each ``interval`` seconds until ``stop_file`` exists or
    ``max_seconds`` passed; return the summary described in the module docstring."""
    contexts = {t["name"]: _context(t["ca_file"]) for t in targets}
    summary = {t["name"]: {"ok": 0, "failed": 0, "errors": [], "serials": []} for t in targets}
    start = time.monotonic()
    rounds = 0
    while not os.path.exists(stop_file) and time.monotonic() - start < max_seconds:
        rounds += 1
        for target in targets:
            serial, error = probe_once(target, contexts[target["name"]])
            entry = summary[target["name"]]
            if serial and serial not in entry["serials"]:
                entry["serials"].append(serial)
            if error:
                entry["failed"] += 1
                if len(entry["errors"]) < MAX_ERRORS_KEPT:
                    entry["errors"].append("t=%.1f %s" % (time.monotonic() - start, error))
            else:
                entry["ok"] += 1
        time.sleep(interval)
    return {"rounds": rounds, "seconds": round(time.monotonic() - start, 1), "targets": summary}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", required=True)
    parser.add_argument("--stop-file", required=True)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--max-seconds", type=float, default=600.0)
    args = parser.parse_args()
    with open(args.targets, encoding="utf-8") as handle:
        targets = json.load(handle)
    print(json.dumps(run(targets, args.stop_file, args.interval, args.max_seconds)))


if __name__ == "__main__":
    main()
