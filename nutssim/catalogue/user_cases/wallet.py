"""User cases of node B's wallets answering the verifier (PROTOCOL.md §4.2 #47–49)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nutssim.catalogue.base import Case, Expect, Observation, observe_flow, register
from nutssim.catalogue.user_attacker import ResignResponse, apply_claims, request_object_of, verifier_key
from nutssim.catalogue.user_cases.common import (
    AUTHORIZE,
    DIRECT_POST,
    MALLORY,
    USER,
    at_wallet,
    denied,
    hospital_host,
    impersonation,
    mutate,
    observe_at,
    user_case,
)
from nutssim.network import Tamper
from nutssim.scenarios import UserWorld
from nutssim.scenarios.user import USER as EMPLOYEE

USER_ID = EMPLOYEE["id"]

STAGE = USER.at(DIRECT_POST)


# == §4.2 #47–49: the wallet (steps 11–15) ================================================================
def _wallet_case(
    id: str, title: str, changes: dict[str, Any], check: str, description: str, posted: bool
) -> Callable[[], Case]:

    def factory() -> Case:
        """§4.2 item 47: the verifier's request object (JAR_2) changed and re-signed by A's key."""

        def act(world: UserWorld) -> Observation:
            resigned = ResignResponse(
                request_object_of(hospital_host(world)),
                verifier_key(world),
                lambda h, c: apply_claims(c, changes),
            )
            flow = mutate(world, resigned)
            if posted:
                return observe_at(world, DIRECT_POST, flow=flow)
            return at_wallet(world, flow)

        return user_case(
            id,
            title,
            DIRECT_POST if posted else AUTHORIZE,
            f"the verifier's request object has {', '.join(f'{k}={v}' for k, v in changes.items())}",
            act,
            denied("invalid_request", description, check),
            (
                "PROTOCOL.md §4.2 #47",
                "ATTACKS.md 3.5 #37" if check == "wallet.nonce" else "ATTACKS.md 3.5 #38",
                "OpenID4VP §5.2",
            ),
        )

    return factory


for _args in (
    (
        "user-wallet-response-mode-fragment",
        "Verifier asks response_mode=fragment",
        {"response_mode": "fragment"},
        "wallet.response_mode",
        "invalid response_mode parameter",
        False,
    ),
    (
        "user-wallet-missing-response-uri",
        "Verifier request without response_uri",
        {"response_uri": None},
        "wallet.response_uri",
        "missing response_uri parameter",
        False,
    ),
    (
        "user-wallet-missing-state",
        "Verifier request without state",
        {"state": None},
        "wallet.state",
        "missing state parameter",
        False,
    ),
    (
        "user-wallet-client-id-scheme-did",
        "Verifier request with client_id_scheme=did",
        {"client_id_scheme": "did"},
        "wallet.client_id_scheme",
        "invalid client_id_scheme parameter",
        True,
    ),
    (
        "user-wallet-missing-nonce",
        "Verifier request without nonce",
        {"nonce": None},
        "wallet.nonce",
        "missing nonce parameter",
        True,
    ),
):
    register(_wallet_case(*_args))


@STAGE.case(
    id="user-wallet-lacks-credential",
    title="Organization wallet lacks the NutsOrganizationCredential",
    attack="node B's organization wallet holds no credentials",
    expected=denied(
        "invalid_request",
        "wallet could not fulfill requirements (PD ID: pd_care_organization",
        "wallet.fulfil",
    ),
    refs=("PROTOCOL.md §4.2 #48", "ATTACKS.md 3.5 #40", "OpenID4VP §6.4"),
)
def wallet_lacks_credential(world: UserWorld) -> Observation:
    """§4.2 item 48."""
    world.requester.wallet.credentials = []
    return observe_at(world, DIRECT_POST, flow=world.start())


@STAGE.case(
    id="user-pd-unreachable",
    title="Presentation definition URI unreachable",
    attack="the wallet's fetch of the presentation definition is dropped",
    expected=denied(
        "invalid_presentation_definition_uri",
        "failed to retrieve presentation definition on ",
        "wallet.presentation_definition_fetch",
    ),
    refs=("PROTOCOL.md §4.2 #49", "OpenID4VP §6.4"),
)
def definition_unreachable(world: UserWorld) -> Observation:
    """§4.2 item 49."""
    host = hospital_host(world)
    drop = Tamper(lambda r: r.origin == host and r.path.endswith("/presentation_definition"), lambda r: None)
    return observe_at(world, DIRECT_POST, flow=mutate(world, drop))


# == the session wallet behind the browser's cookie (PROTOCOL.md §2.4) ====================================
@STAGE.case(
    id="user-shared-browser-second-user",
    title="Second employee in the same browser is presented as the first",
    attack="Mallory starts the flow in the browser John Doe just used: the node's session cookie "
    "brings back his session wallet",
    # auth/api/iam/user.go provisionUserSession: a session wallet with credentials counts as
    # provisioned, so Mallory's token carries John Doe's employee credential. strict gives her a
    # session wallet of her own.
    expected={"nuts-node": Expect("granted"), "strict": Expect("denied", "injection_ineffective")},
    refs=("PROTOCOL.md §2.4", "auth/api/iam/user.go provisionUserSession", "OpenID4VP §14.1"),
)
def shared_browser_second_user(world: UserWorld) -> Observation:
    """The session wallet outlives the user the EHR vouched for."""
    world.run()  # John Doe's flow, in world.browser
    flow = world.sim.user_access(
        world.requester,
        world.authorization_server,
        world.options["scope"],
        preauthorized_user=dict(MALLORY),
        ehr=world.ehr,
        browser=world.browser,
        resource_server=world.resource_server,
        dpop=world.options.get("dpop", True),
    )
    flow.finish()
    if flow.result is not None and flow.result.status == "granted":
        return impersonation(world, flow, expected_user=USER_ID)
    return observe_flow(flow)
