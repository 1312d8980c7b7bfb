"""Status scenarios (issue #21 item 4): a credential whose status is on a Bitstring Status List v1.0.

The register publishes the GP's NutsOrganizationCredential status on a Bitstring Status List
(GFI-003) instead of StatusList2021. The reference does not know the entry type and ignores
it (``vcr/revocation/statuslist2021_verifier.go`` ``StatusList2021.Verify``), so a revoked
credential is still accepted under ``nuts-node``; ``strict`` fetches the list, reads the bit
and refuses it. The same world, a different outcome per profile: the mismatch a pilot would
otherwise find in production.
"""

from __future__ import annotations

from typing import Any

from nutssim.profiles import Profile
from nutssim.scenarios.options import Option
from nutssim.scenarios.registry import register
from nutssim.scenarios.s2s import DPOP, POLICY, SCOPE, s2s_world
from nutssim.scenarios.trust import _finish, _trust_world
from nutssim.scenarios.world import TrustWorld

BSL_REVOKED = Option("revoked", bool, True, "whether the register set the credential's revocation status")


@register("s2s-bsl-revoked", options=(DPOP, SCOPE, POLICY, BSL_REVOKED))
def s2s_bsl_revoked(
    seed: int = 0, profile: str | Profile = "nuts-node", *, revoked: bool = True, **options: Any
) -> TrustWorld:
    """The s2s world with the register's credential re-issued under a BitstringStatusListEntry."""
    # jwt_vc only: the entry's terms are defined by the VC-DM 2.0 context alone (issuer.py).
    world = _trust_world(s2s_world(seed, profile, credential_format="jwt_vc", **options))
    gp, register_ = world.requester, world.register
    for old in [c for c in gp.wallet.held_by(gp.did) if c.issuer == register_.did]:
        gp.wallet.remove(old)  # the StatusList2021 credential two_nodes issued
    credential = register_.issue_organization_credential(gp, name=gp.name, status="bitstring")
    if revoked:
        register_.revoke(credential)
    expect: Any = {"nuts-node": "granted", "strict": "denied"} if revoked else "granted"
    return _finish(world, "s2s-bsl-revoked", expect, revoked=revoked)
