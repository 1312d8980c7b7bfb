"""The signed OpenID configuration (PROTOCOL.md §2.5): built, fetched over the network and verified."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from nutssim import jose
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.parties.base import Context, Party
from nutssim.parties.identity import Identity
from nutssim.simulation import Simulation
from nutssim.specs import entity_statement

ENTITY = "https://node-a.example/oauth2/a"


class StatementHost(Party):
    """Serves whatever statement a test puts in ``token``."""

    def __init__(self) -> None:
        super().__init__("issuer-host", "issuer host", "https://node-a.example")
        self.token = ""
        self.route("GET", "/.well-known/openid-configuration/oauth2/a", self.serve, "OpenID configuration")

    def serve(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        return entity_statement.serve(self.token)


@pytest.fixture
def setup(
    sim: Simulation, make_identity: Callable[..., Identity]
) -> tuple[Simulation, StatementHost, Identity]:
    identity = make_identity("https://did.example")
    return sim, sim.add(StatementHost()), identity


def test_url_for_inserts_the_well_known_path() -> None:
    """The well-known segment goes between host and path."""
    assert (
        entity_statement.url_for(ENTITY) == "https://node-a.example/.well-known/openid-configuration/oauth2/a"
    )


def test_build_lists_every_key_and_the_metadata(setup: tuple[Simulation, StatementHost, Identity]) -> None:
    """iss = sub = entity id, +1 h, one JWK per DID with its kid, openid_provider metadata."""
    identity = setup[2]
    token = entity_statement.build(ENTITY, [identity.key], {"issuer": ENTITY}, 100)
    jws = jose.decode(token)
    assert jws.header["typ"] == "entity-statement+jwt" and jws.kid == identity.key.kid
    assert jws.payload["iss"] == jws.payload["sub"] == ENTITY and jws.payload["exp"] == 100 + 3600
    assert jws.payload["jwks"]["keys"][0]["kid"] == identity.key.kid


def test_fetch_verifies_with_the_kid_key(setup: tuple[Simulation, StatementHost, Identity]) -> None:
    """A statement signed by the kid's DID key verifies; DID resolution appears in the trace."""
    sim, host, identity = setup
    host.token = entity_statement.build(ENTITY, [identity.key], {"issuer": ENTITY}, sim.clock.now())
    statement = sim.run(entity_statement.fetch(ENTITY, sim.clock.now()), "tester")
    assert statement.key(identity.key.kid or "") is not None and statement.metadata()["issuer"] == ENTITY
    assert [x.label for x in sim.trace.exchanges] == ["OpenID configuration", "DID document (did:web)"]


@pytest.mark.parametrize("fault", ["forged", "expired", "missing", "foreign_sub"])
def test_fetch_refuses(setup: tuple[Simulation, StatementHost, Identity], fault: str) -> None:
    """A statement that does not verify, has expired or is absent cannot bind a client."""
    sim, host, identity = setup
    now = sim.clock.now()
    other = Identity.jwk(sim.rng)
    if fault == "forged":
        host.token = entity_statement.build(ENTITY, [other.key.with_kid(identity.key.kid or "")], {}, now)
    elif fault == "expired":
        host.token = entity_statement.build(ENTITY, [identity.key], {}, now - 4000)
    elif fault == "foreign_sub":
        host.token = entity_statement.build("https://evil.example/oauth2/x", [identity.key], {}, now)
    strict = fault == "foreign_sub"
    with pytest.raises(entity_statement.EntityStatementError):
        sim.run(entity_statement.fetch(ENTITY, now, strict=strict), "tester")
    if fault == "foreign_sub":  # the reference does not compare iss/sub with the URL (inferred)
        sim.run(entity_statement.fetch(ENTITY, now), "tester")
