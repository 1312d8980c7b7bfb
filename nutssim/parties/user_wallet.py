"""The wallet side of a node (node B): answering a verifier's OpenID4VP request (§2.2 steps 11–18).

A request with ``response_type=vp_token`` reaches the node's authorization endpoint in
the browser (the organization wallet, step 11) or by internal dispatch of an
``openid4vp:`` redirect (the user's session wallet, step 17). The wallet checks the
request in the reference's order; the first errors are rendered to the browser, later
ones are POSTed to the verifier's ``response_uri`` (OpenID4VP §6.4), whose answer tells
where the browser goes. Otherwise it fetches the verifier's metadata and presentation
definition, builds a VP (``aud`` = the verifier's client_id, ``nonce`` from the
request, 15 minutes) with the organization's first DID or the session's did:jwk, and
sends it by ``direct_post``. There is no consent step and no check that the URIs share
the client_id's origin (inferred, PROTOCOL.md §2.2).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Protocol

from nutssim import causes
from nutssim.causes import Cause
from nutssim.errors import NutsSimError, OAuthError
from nutssim.messages import HttpRequest, HttpResponse, redirect
from nutssim.parties.base import Context, Flow, expect_rule
from nutssim.parties.core import NodeCore, Subject
from nutssim.parties.sessions import UserSession
from nutssim.parties.wallet import (
    BuiltPresentation,
    Wallet,
    choose_vp_format,
    pex_semantics,
    sign_presentation,
)
from nutssim.specs import openid4vp, pex
from nutssim.specs.openid4vp import USER, VP_LIFETIME
from nutssim.specs.rfc9101 import Rule


class Authorize(Protocol):
    """The node's authorization endpoint, as the wallet dispatches an ``openid4vp:`` redirect to it."""

    def __call__(
        self,
        request: HttpRequest,
        ctx: Context,
        subject_id: str,
        session: UserSession,
        query: dict[str, str],
        owner: str = ...,
    ) -> Flow:
        """Handle an authorization request for ``subject_id`` in ``session`` (step 17)."""
        ...


class WalletError(Exception):
    """A wallet check failed once ``response_uri`` and ``state`` are known: it goes to the verifier."""

    def __init__(self, error: OAuthError) -> None:
        super().__init__(error.description)
        self.error = error


class UserWallet:
    """The handling of verifier requests by a node's organization and session wallets."""

    def __init__(self, core: NodeCore, *, authorize: Authorize) -> None:
        self.core = core
        self.authorize = authorize

    def respond(
        self,
        ctx: Context,
        request: HttpRequest,
        subject: Subject,
        params: dict[str, str],
        session: UserSession | None,
        owner: str,
    ) -> Flow:
        """Steps 11–15: rendered checks, then checks whose errors are POSTed, then the VP by direct_post."""
        expect_rule(
            ctx,
            params.get("response_mode") == openid4vp.DIRECT_POST,
            openid4vp.RESPONSE_MODE,
            detail=f"response_mode {params.get('response_mode')!r}",
        )
        expect_rule(ctx, bool(params.get("response_uri")), openid4vp.RESPONSE_URI)
        expect_rule(ctx, bool(params.get("state")), openid4vp.STATE)
        response_uri, state = params["response_uri"], params["state"]
        try:
            built = yield from self._present(ctx, subject, params, session, owner)
        except WalletError as failed:
            return (yield from self._post_error(ctx, failed.error, response_uri, state))
        form = openid4vp.vp_response_form(_vp_text(built), built.submission, state)
        response = yield from _post_following_redirects(
            HttpRequest.post_form(response_uri, form, {"Accept": "application/json"})
        )
        return (yield from self._follow_verifier(ctx, request, subject, session, owner, response))

    def _present(
        self,
        ctx: Context,
        subject: Subject,
        params: dict[str, str],
        session: UserSession | None,
        owner: str,
    ) -> Generator[HttpRequest, HttpResponse, BuiltPresentation]:
        """The checks whose errors are POSTed, the verifier's metadata and definition, then the VP."""
        _posted(
            ctx,
            params.get("client_id_scheme") == openid4vp.ENTITY_ID,
            openid4vp.CLIENT_ID_SCHEME,
            detail=f"client_id_scheme {params.get('client_id_scheme')!r}",
        )
        _posted(ctx, bool(params.get("nonce")), openid4vp.NONCE)
        expect_rule(ctx, session is not None, openid4vp.USER_SESSION)
        assert session is not None
        verifier = yield from _verifier_metadata(ctx, params)
        definition = yield from _presentation_definition(ctx, params)
        return self._build(ctx, subject, session, owner, params, verifier, definition)

    def _build(
        self,
        ctx: Context,
        subject: Subject,
        session: UserSession,
        owner: str,
        params: dict[str, str],
        verifier: dict[str, Any],
        definition: Any,
    ) -> BuiltPresentation:
        """Match the definition in the owner's wallet; sign a 15-minute VP for the verifier."""
        wallet: Wallet = session.wallet if owner == USER else subject.wallet
        did = session.identity.did if owner == USER else subject.did
        credentials = wallet.held_by(did)
        formats = verifier.get("vp_formats")
        vp_format = choose_vp_format(
            self.core.vp_formats,
            formats if isinstance(formats, dict) else None,
            definition.format or None,
            reference=not ctx.profile.strict,
        )
        _posted(
            ctx,
            vp_format is not None,
            openid4vp.BUILD,
            reason="verifier, wallet and presentation definition don't share a supported VP format",
        )
        try:
            match = pex.match_definition(definition, credentials, semantics=pex_semantics(ctx), holder=did)
        except pex.NoCredentials as exc:
            _posted(ctx, False, openid4vp.FULFIL, pd_id=definition.id, wallet=did, reason=str(exc))
        except pex.PexError as exc:
            _posted(ctx, False, openid4vp.BUILD, reason=str(exc))
        ctx.check(openid4vp.FULFIL.id, openid4vp.FULFIL.ref, True, f"{owner} wallet {did[:40]}")
        assert vp_format is not None
        return sign_presentation(
            ctx,
            wallet,
            did,
            match,
            vp_format,
            params.get("client_id", ""),
            nonce=params["nonce"],
            lifetime=VP_LIFETIME,
        )

    def _post_error(self, ctx: Context, error: OAuthError, response_uri: str, state: str) -> Flow:
        """OpenID4VP §6.4: the error goes to the verifier, whose answer says where the browser goes."""
        form = openid4vp.error_response_form(error.error, error.description, state)
        response = yield HttpRequest.post_form(response_uri, form, {"Accept": "application/json"})
        target = openid4vp.redirect_of(response)
        expect_rule(
            ctx, target is not None, openid4vp.POST_FAILED, detail=f"verifier answered HTTP {response.status}"
        )
        assert target is not None
        return redirect(target)

    def _follow_verifier(
        self,
        ctx: Context,
        request: HttpRequest,
        subject: Subject,
        session: UserSession | None,
        owner: str,
        response: HttpResponse,
    ) -> Flow:
        """Steps 16/19–20: an ``openid4vp:`` answer is dispatched to the user wallet, any other redirected."""
        target = openid4vp.redirect_of(response)
        if target is None:
            body = response.json
            if isinstance(body, dict) and isinstance(
                body.get("error"), str
            ):  # relay the verifier's OAuth error
                cause = Cause(
                    causes.FAILED, "response", body["error"], reason=str(body.get("error_description", ""))
                )
                ctx.check("wallet.verifier_answer", openid4vp.POST_FAILED.ref, False, body["error"], cause)
                raise OAuthError(
                    body["error"], str(body.get("error_description", "")), check="wallet.verifier_answer"
                )
            expect_rule(ctx, False, openid4vp.POST_FAILED, detail=f"verifier answered HTTP {response.status}")
        assert target is not None
        if not openid4vp.is_openid4vp(target):
            ctx.check("wallet.verifier_answer", openid4vp.POST_FAILED.ref, True, "redirect the user agent")
            return redirect(target)
        # Step 17: the verifier wants the user's wallet; node B dispatches internally, as that wallet.
        expect_rule(ctx, owner != USER, openid4vp.REPEATED_DISPATCH)
        ctx.check(
            "wallet.verifier_answer",
            openid4vp.POST_FAILED.ref,
            True,
            "openid4vp: dispatched to the user wallet",
        )
        assert session is not None
        return (
            yield from self.authorize(
                request, ctx, subject.id, session, openid4vp.query_of(target), owner=USER
            )
        )


def _posted(ctx: Context, passed: bool, rule: Rule, *, detail: str | None = None, **values: Any) -> None:
    """Record ``rule``; a failure becomes a ``WalletError`` that is POSTed to the verifier."""
    try:
        expect_rule(ctx, passed, rule, detail=detail, **values)
    except OAuthError as exc:
        raise WalletError(exc) from None


def _verifier_metadata(
    ctx: Context, params: dict[str, str]
) -> Generator[HttpRequest, HttpResponse, dict[str, Any]]:
    """``client_metadata`` xor ``client_metadata_uri``, fetched if by reference (OpenID4VP §5.2)."""
    inline, uri = params.get("client_metadata"), params.get("client_metadata_uri")
    _posted(ctx, not (inline and uri), openid4vp.CLIENT_METADATA)
    if inline:
        document = openid4vp.json_param(inline)
        _posted(ctx, _client_metadata_ok(document), openid4vp.CLIENT_METADATA_INVALID)
        return document or {}
    _posted(ctx, bool(uri), openid4vp.CLIENT_METADATA_INVALID, detail="neither client_metadata nor its uri")
    response = yield HttpRequest.get(uri or "", headers={"Accept": "application/json"})
    document = response.json if response.ok else None
    _posted(
        ctx, _client_metadata_ok(document), openid4vp.CLIENT_METADATA_FETCH, detail=f"HTTP {response.status}"
    )
    return dict(document or {})  # _posted refused anything but an object


def _client_metadata_ok(document: Any) -> bool:
    """A JSON object whose ``vp_formats`` (if any) is an object: what the reference can decode."""
    return isinstance(document, dict) and isinstance(document.get("vp_formats") or {}, dict)


def _presentation_definition(
    ctx: Context, params: dict[str, str]
) -> Generator[HttpRequest, HttpResponse, Any]:
    """``presentation_definition`` xor its uri, fetched if by reference (OpenID4VP §5.4–5.5)."""
    inline, uri = params.get("presentation_definition"), params.get("presentation_definition_uri")
    _posted(ctx, not (inline and uri), openid4vp.DEFINITION)
    document = openid4vp.json_param(inline) if inline else None
    raw = inline  # the text the document is read from: it keys the parse cache
    if not inline:
        _posted(
            ctx, bool(uri), openid4vp.DEFINITION_INVALID, detail="neither presentation_definition nor its uri"
        )
        response = yield HttpRequest.get(uri or "", headers={"Accept": "application/json"})
        document = response.json if response.ok and isinstance(response.json, dict) else None
        raw = response.body
        _posted(
            ctx, document is not None, openid4vp.DEFINITION_FETCH, detail=f"HTTP {response.status}", uri=uri
        )
    try:
        return pex.canonical_definition(document, raw=raw)  # parsed once per content (issue #23)
    except NutsSimError as exc:
        rule = openid4vp.DEFINITION_INVALID if inline else openid4vp.DEFINITION_FETCH
        _posted(ctx, False, rule, detail=str(exc), uri=uri)
    raise AssertionError("unreachable")


def _post_following_redirects(request: HttpRequest) -> Generator[HttpRequest, HttpResponse, HttpResponse]:
    """The node's HTTP client follows a redirect with a GET, as Go's does (PROTOCOL.md §2.2 step 15 quirk)."""
    response = yield request
    if response.is_redirect and response.location and response.location.startswith("http"):
        response = yield HttpRequest.get(response.location, headers={"Accept": "application/json"})
    return response


def _vp_text(built: BuiltPresentation) -> str:
    """The vp_token form value: a JWT as is, a JSON-LD VP as JSON."""
    import json

    return built.vp if isinstance(built.vp, str) else json.dumps(built.vp, separators=(",", ":"))
