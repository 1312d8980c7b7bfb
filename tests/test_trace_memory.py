"""A long single simulation stays bounded where it must: the nodes' stores and the browser history.

Count-based (issue #23 item 3): sizes are sampled over many flows on the simulated clock, never
timed. ``benchmarks/bench_memory.py`` prints the same figures over 100,000 flows.
"""

from __future__ import annotations

from nutssim import scenarios
from nutssim.parties.tokens import ACCESS_TOKEN_TTL, DPOP_JTI_TTL
from nutssim.specs.nuts_rfc021 import NONCE_TTL

#: Simulated seconds between two flows, and the flows run: several times every store's timer.
STEP, FLOWS = 5, 800


def _sizes(world: scenarios.World) -> dict[str, tuple[int, int]]:
    """Each store's live entries and pending expiries (a heap that must shrink too)."""
    hospital, gp = world.authorization_server_node, world.requester_node  # type: ignore[attr-defined]
    stores = {
        "s2s nonces": hospital.s2s_nonces,
        "access tokens": hospital.access_tokens,
        "DPoP jti": hospital.dpop_jtis,
        "client token cache": gp.token_cache,
    }
    return {name: (len(store), len(_heap(store))) for name, store in stores.items()}


def _heap(store: object) -> list[object]:
    inner = getattr(store, "_map", store)  # an ExpiringSet wraps an ExpiringMap
    heap: list[object] = inner._expiries  # type: ignore[attr-defined]
    return heap


def test_node_stores_stay_bounded_by_their_timers_over_many_flows() -> None:
    world = scenarios.build("s2s", seed=4)
    world.sim.trace.level = "summary"
    bound = {
        "s2s nonces": NONCE_TTL // STEP + 1,
        "access tokens": ACCESS_TOKEN_TTL // STEP + 1,
        "DPoP jti": DPOP_JTI_TTL // STEP + 1,
        "client token cache": 1,  # bypassed: a flow never reads it, so it never fills
    }
    largest = dict.fromkeys(bound, 0)
    for i in range(FLOWS):
        world.sim.clock.advance(STEP)
        assert world.start(no_cache=True).finish().granted
        if i % 50 == 49:
            for name, (live, pending) in _sizes(world).items():
                assert live <= bound[name], (name, i, live)
                # stale heap records (a key put again) are compacted away: stores.ExpiringMap._compact
                assert pending <= max(64, 2 * live) + 1, (name, i, pending)
                largest[name] = max(largest[name], live)
    assert largest["DPoP jti"] == bound["DPoP jti"] - 1  # it filled to its timer, then stayed flat
    assert largest["access tokens"] >= ACCESS_TOKEN_TTL // STEP - 1
