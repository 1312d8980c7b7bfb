"""The user's browser session on a node: a did:jwk session wallet behind the ``__Secure-SID`` cookie (§2.4).

The user client's landing page and the authorization endpoint both load the session
(or create one) before they handle a request, and set the cookie on the response of a
new one: the session middleware of the reference, shared by both roles.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from nutssim.messages import HttpRequest, HttpResponse
from nutssim.parties.base import Context
from nutssim.parties.identity import Identity
from nutssim.parties.wallet import Wallet
from nutssim.stores import ExpiringMap

USER_SESSION_TTL = 3600  # user session and its cookie
SESSION_COOKIE = "__Secure-SID"
_SESSION = "PROTOCOL.md §2.4"


@dataclass
class UserSession:
    """A browser session on a node: the user's did:jwk wallet, bound to one subject (§2.4)."""

    id: str
    subject_id: str
    identity: Identity
    wallet: Wallet
    expires_at: int


class UserSessions:
    """The node's session store and its cookie (1 h, Secure, HttpOnly, SameSite=Strict)."""

    def __init__(self) -> None:
        self.user_sessions: ExpiringMap[str, UserSession] = ExpiringMap(USER_SESSION_TTL)

    def load(self, request: HttpRequest, ctx: Context, subject_id: str) -> tuple[UserSession, bool]:
        """Load the cookie's session for this subject, or create one with a fresh did:jwk wallet."""
        sid = cookie(request, SESSION_COOKIE)
        session = self.user_sessions.get(sid, ctx.now()) if sid else None
        if session is not None and session.subject_id == subject_id:
            ctx.check("session.cookie", _SESSION, True, f"session wallet {session.identity.did[:24]}…")
            return session, False
        ctx.check(
            "session.cookie",
            _SESSION,
            True,
            "no valid session for this subject: a new session wallet" if sid else "no session cookie",
        )
        identity = Identity.jwk(ctx.rng)
        session = UserSession(
            ctx.rng.token(), subject_id, identity, Wallet([identity]), ctx.now() + USER_SESSION_TTL
        )
        self.user_sessions.put(session.id, session, ctx.now())
        ctx.fact("user_session_created", subject=subject_id, did=identity.did)
        return session, True

    @staticmethod
    def with_cookie(response: HttpResponse, session: UserSession, created: bool) -> HttpResponse:
        """Set ``__Secure-SID`` on a new session's response: 1 h, Secure, HttpOnly, SameSite=Strict."""
        if not created:
            return response
        value = (
            f"{SESSION_COOKIE}={session.id}; Path=/oauth2/{session.subject_id}; Max-Age={USER_SESSION_TTL}; "
            "Secure; HttpOnly; SameSite=Strict"
        )
        return replace(response, headers=(*response.headers, ("Set-Cookie", value)))


def cookie(request: HttpRequest, name: str) -> str | None:
    """The value of one cookie of a request's ``Cookie`` header."""
    for part in (request.header("Cookie") or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None
