"""Which certificate does a local TLS API serve, and is the API healthy?

Run on a node by playbooks/runbooks/tls-rotate.yml (ansible.builtin.script; Python 3
standard library only). One HTTPS GET of PATH on 127.0.0.1:PORT, verified against the CA
file (the node certificates carry IP:127.0.0.1), optionally with a client certificate
(mutual TLS); prints one JSON object:

  {"served_sha256": hex SHA-256 of the served leaf certificate (DER) or "",
   "served_serial": its serial number (int) or null,
   "served_not_after": its notAfter as the ssl module prints it, e.g. "Nov 30 06:00:00 2027 GMT",
   "served_days_left": days until then (float),
   "served_sans": its subject alternative names as ["DNS:name", "IP:address"],
   "file_sha256": hex SHA-256 of CERT_FILE (first PEM block, DER),
   "cert_pem": that first PEM block, "ca_pem": the first PEM block of CA_FILE
   (certificates are public; no key is read except by the TLS client),
   "status": HTTP status or 0, "body": first 200 characters of the answer,
   "error": "" or why the request failed}

Exit status 0 whenever the JSON was printed; the caller compares the fields.
"""
import argparse
import hashlib
import http.client
import json
import ssl
import time


def first_pem(path):
    """The first certificate of a PEM file, as text."""
    with open(path, encoding="ascii") as handle:
        text = handle.read()
    end = "-----END CERTIFICATE-----"
    start = text.index("-----BEGIN CERTIFICATE-----")
    return text[start:text.index(end) + len(end)]


def _sans(decoded):
    kinds = {"DNS": "DNS", "IP Address": "IP"}
    return ["%s:%s" % (kinds.get(kind, kind), value.strip())
            for kind, value in decoded.get("subjectAltName", ())]


def probe(args):
    """The JSON-ready result of one request (see the module docstring)."""
    cert_pem = first_pem(args.cert_file)
    result = {"served_sha256": "", "served_serial": None, "served_not_after": "",
              "served_days_left": 0.0, "served_sans": [],
              "file_sha256": hashlib.sha256(ssl.PEM_cert_to_DER_cert(cert_pem)).hexdigest(),
              "cert_pem": cert_pem, "ca_pem": first_pem(args.ca_file),
              "status": 0, "body": "", "error": ""}
    ctx = ssl.create_default_context(cafile=args.ca_file)
    if args.client_cert:
        ctx.load_cert_chain(args.client_cert, args.client_key)
    conn = http.client.HTTPSConnection("127.0.0.1", args.port, context=ctx, timeout=args.timeout)
    try:
        conn.connect()
        result["served_sha256"] = hashlib.sha256(conn.sock.getpeercert(binary_form=True)).hexdigest()
        decoded = conn.sock.getpeercert()
        result["served_serial"] = int(decoded["serialNumber"], 16)
        result["served_not_after"] = decoded["notAfter"]
        result["served_days_left"] = round(
            (ssl.cert_time_to_seconds(decoded["notAfter"]) - time.time()) / 86400.0, 2)
        result["served_sans"] = _sans(decoded)
        conn.request("GET", args.path)
        resp = conn.getresponse()
        result["status"] = resp.status
        result["body"] = resp.read(200).decode("utf-8", "replace")
    except (OSError, ssl.SSLError, http.client.HTTPException) as exc:
        result["error"] = "%s: %s" % (type(exc).__name__, exc)
    finally:
        conn.close()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--ca-file", required=True)
    parser.add_argument("--cert-file", required=True, help="installed certificate to compare")
    parser.add_argument("--client-cert", default="")
    parser.add_argument("--client-key", default="")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds for the request")
    args = parser.parse_args()
    try:
        result = probe(args)
    except (OSError, ValueError, ssl.SSLError) as exc:  # unreadable file, bad PEM, bad key pair
        result = {"served_sha256": "", "served_serial": None, "served_not_after": "",
                  "served_days_left": 0.0, "served_sans": [], "file_sha256": "",
                  "cert_pem": "", "ca_pem": "", "status": 0, "body": "",
                  "error": "%s: %s" % (type(exc).__name__, exc)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
