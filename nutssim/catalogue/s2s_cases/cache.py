"""s2s cases of the client's token cache: a cached token must stay with the subject it was issued to.

nuts-node ``auth/api/iam/api.go RequestServiceAccessToken`` caches the token response for
14.5 min under ``accessTokenRequestCacheKey``, the hash of the whole request object
(``SubjectID`` included). A key of the body alone would hand one subject's token to another
subject of the same node that asks for the same scope at the same AS.
"""

from __future__ import annotations

from nutssim.catalogue.base import GRANTED, Expect, Observation, observe_flow
from nutssim.catalogue.s2s_cases.common import S2S
from nutssim.scenarios import S2SWorld
from nutssim.scenarios.s2s import EMPLOYEE

CACHE = S2S.at("request service access token")


@CACHE.case(
    id="s2s-token-cache-other-subject",
    title="Second subject of the same node asks for the token another subject has cached",
    attack="after the GP got a token, a second subject on the GP's node, holding no credential, "
    "sends the identical request body to its own request-service-access-token",
    control="token_cache_subject_key",
    # nuts-node: cache miss (key includes SubjectID), the wallet has no organization credential → 412.
    expected={
        "*": Expect("denied", "invalid_request", "wallet could not fulfill requirements", "client.pd_match")
    },
    vulnerable=GRANTED,  # the GP's cached token is returned and reads the resource
    refs=(
        "nuts-node auth/api/iam/api.go accessTokenRequestCacheKey @d2ad162",
        "PROTOCOL.md §0 (accessTokenCacheOffset)",
    ),
)
def other_subject_cached_token(world: S2SWorld) -> Observation:
    """A second subject reuses the first subject's cache entry only if the key leaves the subject out."""
    world.run()
    second = world.requester_node.add_subject("Tandarts Noord", id="tandarts-noord")
    flow = world.sim.service_access(
        second,
        world.authorization_server,
        "eoverdracht",
        ehr=world.ehr,
        resource_server=world.resource_server,
        credentials=[EMPLOYEE],
    )
    return observe_flow(flow)
