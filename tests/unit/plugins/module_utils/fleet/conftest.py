"""Fleet test helpers: render a spec with a fixed collection version (stable goldens)."""
import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api

TEST_VERSION = "9.9.9-test"


def render_spec(spec, **kwargs):
    return api.render(api.load_spec(spec, collection_version_override=TEST_VERSION), **kwargs)


@pytest.fixture
def render():
    return render_spec
