"""Shared bits of the Consul integration tests."""

GROUP = "group/agentfleet.hashistack.consul"


def module_defaults(api, token=None, **extra):
    """Connection options set once per play through the action group."""
    opts = {"url": api.addr, "token": api.management_token if token is None else token,
            "retry_delay": 0.05}
    opts.update(extra)
    return {GROUP: opts}


def writes(api):
    return [(r["method"], r["path"]) for r in api.writes()]
