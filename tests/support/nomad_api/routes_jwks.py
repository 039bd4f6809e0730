"""GET /.well-known/jwks.json: the public keys of the workload-identity keyring.

Source: command/agent/http.go registers ``structs.JWKSPath`` ("/.well-known/jwks.json")
with ``JWKSRequest`` (command/agent/keyring_endpoint.go): GET only (405 "Invalid method"
otherwise), no ACL token needed (``Keyring.ListPublic`` is open so third parties can
verify identities), the answer is a JSON Web Key Set ``{"keys": [{kty, kid, use, alg,
n, e}]}`` with a ``Cache-Control: max-age=N`` header.

Test infrastructure: the contract server signs no identities, so its set holds one fixed
RSA public key (RS256, the algorithm Vault and Consul accept for Nomad identities; made
once for these tests, its private half was thrown away). It exists so that Vault's and
Consul's JWT configuration, which fetch the URL when written, can be tested for real.
"""
import re

KEY_ID = "0f6b2d2e-4c8a-4d1e-9d35-6a2f1c0e7b91"
_MODULUS = (
    "zXdPnvTYX-5SkJb72MoT-wZKYXYWGAHn6i0hgOLx_GpVp20dnp5JSHZgMT9YUSCbOg2AZw_nNr8UT5AHGOxbGzNv"
    "krGhju7vNhwYhMCdG_d1HpxCQVvM2UqKy59pxB-jXeTyfAgbmhvBtsMG2UQkFFISaSFBsY-uPUyt3_Ibe5v39i8-"
    "_sKCDCCTO1QkgWIieJqBu8B3M3GdfYOiicV8Jsp749zpY-3ujNsNYxv_uWmVHO_nNcz5PoJQfMmokQ7kdnCVnBmm"
    "DB5LixuE-aaPRX5Cu11oOwk2MTSPc9NWj6aLXq1ejMSPJyiTENmWsQCfIyA-EHpiR-QUCnrZZMxohQ")
# keyring_endpoint.go jwksMinMaxAge: consumers cache the set for at least 15 minutes.
MAX_AGE_S = 15 * 60


def jwks(req):
    """GET /.well-known/jwks.json -> {"keys": [one RSA JWK]} (no token needed)."""
    req.out_headers["Cache-Control"] = "max-age=%d" % MAX_AGE_S
    return {"keys": [{"kty": "RSA", "kid": KEY_ID, "use": "sig", "alg": "RS256",
                      "n": _MODULUS, "e": "AQAB"}]}


ROUTES = [
    (("GET",), re.compile(r"/\.well-known/jwks\.json"), jwks),
]
