"""The core of a Nuts node: its hosts, subjects, DIDs and keys, which every role of the node reads.

PROTOCOL.md §0: a node hosts subjects (care organizations); each subject has DIDs, an
organization wallet and an OAuth identity ``https://<host>/oauth2/<subject>`` that is at
once its client_id and its authorization server's issuer. The public interface is at
``https://<host>``; the internal API (the EHR's and the resource server's) at
``https://<host>:8081``, as the reference separates them by port. The roles
(``parties.node``) are separate objects that get this core at construction.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from nutssim.errors import InputError, OAuthError, ProtocolError
from nutssim.jose import KeyPair
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.parties import problem
from nutssim.parties.identity import DidWebHost, Identity
from nutssim.parties.wallet import Wallet
from nutssim.rng import SimRandom
from nutssim.specs import nuts_node_api as api
from nutssim.specs import rfc9111
from nutssim.specs.rfc6749 import INVALID_REQUEST

INTERNAL_PORT = 8081
#: The node-wide redirect URI path of its clients (PROTOCOL.md §2.2 step 6).
CALLBACK_PATH = "/oauth2/callback"


@dataclass
class Subject:
    """A tenant of a node: a care organization with DIDs, a wallet and (as AS) a policy."""

    node: NodeCore
    id: str
    name: str
    identities: list[Identity]
    wallet: Wallet
    policy: Any = None  # nutssim.specs.nuts_policy.Policy
    #: strict-profile option: credential type → issuer DIDs this AS trusts (PROTOCOL.md §3.11).
    trusted_issuers: dict[str, set[str]] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<Subject {self.id} on {self.node.host}>"

    @property
    def url(self) -> str:
        """The OAuth identity: client_id and AS issuer (PROTOCOL.md §0)."""
        return f"{self.node.host}/oauth2/{self.id}"

    @property
    def did(self) -> str:
        """The subject's first DID."""
        return self.identities[0].did

    @property
    def dids(self) -> list[str]:
        """Every DID of the subject, in preference order."""
        return [i.did for i in self.identities]

    def use_policy(self, policy: Any, *, reference: bool = False) -> Subject:
        """Serve ``policy`` as this subject's AS; ``reference`` loads it as nuts-node's policy/local.go."""
        from nutssim.specs import nuts_policy

        self.policy = nuts_policy.load(policy, reference=reference)
        return self

    def trust_issuer(self, credential_type: str, issuer_did: str) -> Subject:
        """Add an issuer to this AS's explicit trust list for a credential type (strict option)."""
        self.trusted_issuers.setdefault(credential_type, set()).add(issuer_did)
        return self


class NodeCore(DidWebHost):
    """A Nuts node at one host without its roles: hosts, subjects, their DIDs and keys."""

    role = "node"

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
        super().__init__(id, name or urlsplit(host).hostname or host, host)
        self._setup_rng = rng
        parts = urlsplit(self.host)
        self.internal_host = f"{parts.scheme}://{parts.hostname}:{INTERNAL_PORT}"
        self.hosts.append(self.internal_host)
        self.subjects: dict[str, Subject] = {}
        #: `auth.authorizationendpoint.enabled` (the user flow needs it; PROTOCOL.md §2).
        self.authorization_endpoint_enabled = authorization_endpoint
        #: VP formats this node can produce and accepts (``pe.ChooseVPFormat`` input).
        self.vp_formats = vp_formats
        #: ``policy.authzen.endpoint``: the AuthZEN PDP that decides ``scope_policy: dynamic``
        #: (``policy/scope_granter.go``); None when the node has none.
        self.authzen_endpoint: str | None = None
        self.on_change: list[Callable[[NodeCore], None]] = []
        self.http_cache = rfc9111.ResponseCache()  # http/engine.go: on by default (10 MB)

    @property
    def callback_url(self) -> str:
        """The node-wide redirect URI of its clients."""
        return f"{self.host}{CALLBACK_PATH}"

    def add_subject(self, name: str, id: str | None = None, *, dids: int = 1) -> Subject:
        """Create a subject with ``dids`` fresh did:web identities served by this node."""
        subject_id = id or _slug(name)
        if subject_id in self.subjects:
            raise InputError(f"subject {subject_id!r} exists already on {self.host}", hint="pass another id=")
        identities = [self.new_identity(self._setup_rng) for _ in range(dids)]
        subject = Subject(self, subject_id, name, identities, Wallet(identities))
        self.subjects[subject_id] = subject
        for callback in self.on_change:
            callback(self)
        return subject

    def check_startup(self) -> None:
        """Refuse to start as the reference does: ``scope_policy: dynamic`` needs a PDP endpoint.

        nuts-node ``policy/local.go LocalPDP.Configure`` (d2ad162) refuses to start the node
        when a credential profile's scope policy is ``dynamic`` and ``policy.authzen.endpoint``
        is empty; ``scope_policy.check_startup`` raises the ``ScopePolicyConfigError`` (a user
        error: the configuration is wrong, not the protocol run).
        """
        from nutssim.specs import scope_policy

        for subject in self.subjects.values():
            if subject.policy is not None:
                scope_policy.check_startup(subject.policy, self.authzen_endpoint)

    def subject(self, subject_id: str) -> Subject | None:
        """The subject with this id, if the node hosts it."""
        return self.subjects.get(subject_id)

    def require_subject(self, subject_id: str, *, status: int = 400) -> Subject:
        """The subject with this id, or the reference's ``invalid_request`` "subject not found"."""
        subject = self.subjects.get(subject_id)
        if subject is None:
            raise OAuthError(INVALID_REQUEST, "subject not found", status=status)
        return subject

    def dispatch(self, request: HttpRequest, ctx: Any) -> Any:
        """Route a request; a max-age route's answer carries ``Cache-Control: max-age=300``."""
        result = super().dispatch(request, ctx)
        if not _max_age_route(self, request):
            return result
        if isinstance(result, HttpResponse):
            return _with_max_age(result)
        return _process_with_max_age(result)

    def render_error(self, request: HttpRequest, error: ProtocolError) -> HttpResponse:
        """An internal-API operation fails as an RFC 7807 problem (``core/echo_errors.go``), else as OAuth."""
        route, _, _ = self.match(request)
        operation = api.OPERATIONS.get(route.template) if route is not None else None
        if operation is None or request.origin != self.internal_host:
            response = super().render_error(request, error)
            return _with_max_age(response) if _max_age_route(self, request) else response
        if isinstance(error, OAuthError) and error.check in api.PLAIN_CHECKS:
            error.form = "plain"  # type: ignore[attr-defined]  # core.InvalidInputError: no code in detail
        return problem.response(operation, error)

    def key_by_kid(self, kid: str) -> KeyPair | None:
        """A signing key of one of this node's identities, by key id."""
        for identity in self.identities.values():
            for key in identity.keys:
                if key.kid == kid:
                    return key
        return None


#: The routes whose every answer, errors included, says ``Cache-Control: max-age=300``:
#: ``http/cache/middleware.go MaxAge`` sets the header before the handler runs, for
#: ``auth/api/iam/api.go cacheControlMaxAgeURLs`` and ``vdr/api/v2/api.go cacheControlMaxAgeURLs``.
MAX_AGE_ROUTES = frozenset(
    {
        "/oauth2/{subject_id}/presentation_definition",
        "/.well-known/oauth-authorization-server/oauth2/{subject_id}",
        "/.well-known/openid-configuration/oauth2/{subject_id}",
        "/oauth2/{subject_id}/oauth-client",
        "/statuslist/{did}/{page}",
        "/.well-known/did.json",
        "/iam/{path_id}/did.json",
    }
)
MAX_AGE = "max-age=300"  # cache.MaxAge(5*time.Minute, …)


def _max_age_route(party: NodeCore, request: HttpRequest) -> bool:
    """Whether ``request`` hits one of the reference's max-age routes on ``party``."""
    route, _, _ = party.match(request)
    return route is not None and route.template in MAX_AGE_ROUTES


def _with_max_age(response: HttpResponse) -> HttpResponse:
    """``response`` with ``Cache-Control: max-age=300`` (``Header().Set``: replaces any value)."""
    kept = tuple((k, v) for k, v in response.headers if k.lower() != "cache-control")
    return replace(response, headers=(*kept, ("Cache-Control", MAX_AGE)))


def _process_with_max_age(process: Any) -> Generator[HttpRequest, HttpResponse, HttpResponse]:
    """A handler process whose final answer gets the max-age header."""
    response = yield from process
    return _with_max_age(response)


def _slug(name: str) -> str:
    out = "".join(c.lower() if c.isalnum() else "-" for c in name)
    return "-".join(p for p in out.split("-") if p) or "subject"
