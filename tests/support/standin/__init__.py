"""TEST INFRASTRUCTURE, never shipped: stand-in ``consul`` and ``nomad`` agents.

No Nomad or Consul binary can be obtained on the build machines, so the roles are tested
against these stand-ins: Python zipapps (stdlib only) that read the agent configuration
with a strict schema taken from the real agents' configuration structs, serve the
contract servers' HTTP API plus the agent endpoints on the configured addresses (TLS and
mTLS when configured), and keep a toy membership/leader model. See README.md for what
they can and cannot show.
"""
