"""Run the contract server standalone: ``python -m tests.support.consul_api --port 8500``."""
import argparse
import signal
import threading

from tests.support.consul_api.server import ConsulContractServer


def main():
    parser = argparse.ArgumentParser(description="Strict Consul config-entry API contract server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8500)
    parser.add_argument("--no-acl", action="store_true", help="disable ACL enforcement")
    args = parser.parse_args()
    server = ConsulContractServer(args.host, args.port, acl=not args.no_acl).start()
    print("CONSUL_HTTP_ADDR=%s" % server.addr, flush=True)
    if not args.no_acl:
        print("CONSUL_HTTP_TOKEN=%s" % server.management_token, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    server.stop()


if __name__ == "__main__":
    main()
