"""Run the contract server standalone: python -m tests.support.nomad_api --port N [--acl]."""
import argparse
import signal
import sys
import threading

from .control import NomadApi


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.support.nomad_api",
                                     description="Nomad API contract server (tests only)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4646)
    parser.add_argument("--acl", action="store_true", help="enable and bootstrap ACLs")
    parser.add_argument("--enterprise", action="store_true", help="serve Enterprise endpoints")
    parser.add_argument("--settle-delay", type=float, default=0.05,
                        help="seconds until simulated allocations/deployments settle")
    parser.add_argument("--stop-delay", type=float, default=0.3,
                        help="seconds until a stopped job's allocations stop (then it is dead)")
    args = parser.parse_args(argv)
    api = NomadApi(acl=args.acl, enterprise=args.enterprise, host=args.host, port=args.port,
                   settle_delay=args.settle_delay, stop_delay=args.stop_delay)
    print(f"NOMAD_ADDR={api.addr}", flush=True)
    if api.management_token:
        print(f"NOMAD_TOKEN={api.management_token}", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    api.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
