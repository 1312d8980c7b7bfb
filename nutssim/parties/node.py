"""A Nuts node: a small core (``parties.core``) that has its roles as composed objects.

The roles are the authorization server (``authorization_server``, with its
``tokens`` and the ``code_grant``), the s2s client (``client``), the verifier and
authorization endpoint (``verifier``), the user flow's client (``user_client``) and the
wallets that answer verifiers (``user_wallet``). Each owns its stores and routes and
gets what it shares with the others at construction: the token service, the
presentation verifier, the session store and the request-object store. No role holds
another role; the node wires them.
"""

from __future__ import annotations

from typing import Any

from nutssim.messages import HttpRequest
from nutssim.parties.authorization_server import AuthorizationServer
from nutssim.parties.base import Context, Flow
from nutssim.parties.client import Client
from nutssim.parties.code_grant import CodeGrant
from nutssim.parties.core import INTERNAL_PORT as INTERNAL_PORT
from nutssim.parties.core import NodeCore
from nutssim.parties.core import Subject as Subject  # re-exported: callers import it from here
from nutssim.parties.presentation_checks import PresentationVerifier
from nutssim.parties.request_objects import RequestObjects
from nutssim.parties.sessions import UserSession, UserSessions
from nutssim.parties.tokens import AccessToken, TokenService
from nutssim.parties.user_client import UserClient
from nutssim.parties.user_wallet import UserWallet
from nutssim.parties.vci_holder import CredentialRequester
from nutssim.parties.verifier import Verifier
from nutssim.rng import SimRandom
from nutssim.specs.openid4vp import ORGANIZATION
from nutssim.specs.rfc6749 import AUTHORIZATION_CODE
from nutssim.stores import ExpiringMap, ExpiringSet


class Node(NodeCore):
    """A Nuts node at one host: the core plus its roles."""

    def __init__(
        self,
        id: str,
        host: str,
        rng: SimRandom,
        *,
        name: str | None = None,
        authorization_endpoint: bool = True,
        vp_formats: tuple[str, ...] = ("jwt_vp", "ldp_vp"),
    ) -> None:
        super().__init__(
            id, host, rng, name=name, authorization_endpoint=authorization_endpoint, vp_formats=vp_formats
        )
        # Shared by two roles each; the node owns them and hands them over.
        self.tokens = TokenService()
        self.presentations = PresentationVerifier()
        self.sessions = UserSessions()
        self.request_objects = RequestObjects(self)
        self.codes = CodeGrant(self.tokens)
        # Route order matters where templates overlap (``/dpop/validate`` before ``/dpop/{kid}``).
        self.authorization_server = AuthorizationServer(
            self, self.tokens, self.presentations, grants={AUTHORIZATION_CODE: self.codes.token}
        )
        self.client = Client(self)
        # OpenID4VCI's wallet (issue #21): its callback route goes first and hands other states on.
        self.credential_requester = CredentialRequester(
            self, other_callback=lambda request, ctx: self.user_client.callback(request, ctx)
        )
        self.user_client = UserClient(self, sessions=self.sessions, request_objects=self.request_objects)
        self.user_wallet = UserWallet(self, authorize=self._authorize)
        self.verifier = Verifier(
            self,
            sessions=self.sessions,
            request_objects=self.request_objects,
            presentations=self.presentations,
            codes=self.codes,
            wallet=self.user_wallet,
        )

    def _authorize(
        self,
        request: HttpRequest,
        ctx: Context,
        subject_id: str,
        session: UserSession,
        query: dict[str, str],
        owner: str = ORGANIZATION,
    ) -> Flow:
        """The wallet's way back to this node's authorization endpoint (step 17's internal dispatch)."""
        return self.verifier.handle_authorize(request, ctx, subject_id, session, query, owner)

    # -- delegations kept for callers that read role stores off the node (benchmarks) ---------------------
    @property
    def access_tokens(self) -> ExpiringMap[str, AccessToken]:
        """The AS's issued tokens (``tokens.access_tokens``)."""
        return self.tokens.access_tokens

    @property
    def dpop_jtis(self) -> ExpiringSet[str]:
        """The DPoP ``jti`` replay store (``tokens.dpop_jtis``)."""
        return self.tokens.dpop_jtis

    @property
    def s2s_nonces(self) -> ExpiringSet[str]:
        """The RFC021 nonce store (``authorization_server.s2s_nonces``)."""
        return self.authorization_server.s2s_nonces

    @property
    def token_cache(self) -> ExpiringMap[str, dict[str, Any]]:
        """The s2s client's token cache (``client.token_cache``)."""
        return self.client.token_cache
