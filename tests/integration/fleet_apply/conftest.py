"""Fixtures: the three backends of a fleet apply, started fresh per test (OpenBao shared)."""
import itertools

import pytest

_COUNTER = itertools.count()


class Stack:
    def __init__(self, openbao, nomad_api, consul_api, mount_suffix):
        self.openbao = openbao
        self.nomad = nomad_api
        self.consul = consul_api
        self.jwt_mount = "jwt-e2e-%s" % mount_suffix
        self.kv_mount = "kv-e2e-%s" % mount_suffix
        self.fleet = "lab-e2e-%s" % mount_suffix

    def spec(self):
        from tests.integration.fleet_apply.helpers import example_fleet
        return example_fleet(self.fleet, self.jwt_mount, self.kv_mount)

    @property
    def env(self):
        env = {}
        env.update(self.openbao.env)
        env.update(self.nomad.env)
        env.update(self.consul.env)
        return env


@pytest.fixture
def stack(openbao, nomad_api, consul_api):
    return Stack(openbao, nomad_api, consul_api, next(_COUNTER))
