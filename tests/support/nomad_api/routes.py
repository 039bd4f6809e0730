"""The route table: every endpoint module's ROUTES, most specific first."""


def all_routes():
    from . import (routes_acl, routes_jobs, routes_jwks, routes_misc, routes_namespaces,
                   routes_nodes, routes_operator)
    return (routes_jobs.ROUTES + routes_acl.ROUTES + routes_namespaces.ROUTES
            + routes_misc.ROUTES + routes_nodes.ROUTES + routes_operator.ROUTES
            + routes_jwks.ROUTES)
