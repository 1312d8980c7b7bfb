"""s2s cases of a JWS spelled another way: the same bytes in base64 that RFC 7515 §2 does not allow.

RFC 7515 §2 encodes every JWS part as base64url "with all trailing '=' characters omitted"
and without line breaks; RFC 4648 §3.5 lets a decoder refuse non-zero unused bits, which
``strict`` does, so one signature has one spelling. The reference reads a JWS with jwx's
auto-detecting decoder (``internal/base64/base64.go defaultDecoder``: the encoding guessed by
``Guess``, then Go's ``encoding/base64``, which skips CR/LF and, without ``Strict()``, ignores
unused bits), in jwx v3.2.0 (master) and v2.1.6 (project-gf) alike (``profiles.Reference
.jwx_base64``). A signature segment spelled another way leaves the signing input unchanged, so
both nuts-node profiles verify it and grant; ``strict`` refuses the VP or proof as malformed.
What a party can do with it: hand a second, different-looking copy of a VP or proof to a
verifier that remembers tokens by their text (or a log that tells them apart by it), which is
why RFC 4648 §3.5 names the alteration. ATTACKS.md 3.1 #1 (the VP signature) and 3.6 #50 (the
DPoP proof's JWS).
"""

from __future__ import annotations

from collections.abc import Callable

from nutssim.catalogue.base import Expect, Observation
from nutssim.catalogue.s2s_cases.common import DPOP_INVALID, PRESENTATION, S2S, tamper_token_request
from nutssim.messages import HttpRequest
from nutssim.scenarios import S2SWorld

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_MALFORMED = "assertion parameter is invalid: unable to parse PEX envelope as verifiable presentation: "


def padded(token: str) -> str:
    """The compact JWS with its signature segment padded with ``=`` (standard base64's padding)."""
    head, _, signature = token.rpartition(".")
    return f"{head}.{signature}{'=' * (-len(signature) % 4)}"


def second_spelling(token: str) -> str:
    """The compact JWS with the unused low bit of its signature's last symbol set: same bytes."""
    head, _, signature = token.rpartition(".")
    assert len(signature) % 4 in (2, 3), "a signature whose length leaves unused bits"
    last = _ALPHABET[_ALPHABET.index(signature[-1]) | 1]
    return f"{head}.{signature[:-1]}{last}"


def read_by_the_reference(strict: Expect) -> dict[str, Expect]:
    """Granted under both nuts-node profiles (jwx reads the spelling); ``strict``'s refusal beside it."""
    return {"nuts-node": Expect("granted"), "nuts-node-gf": Expect("granted"), "strict": strict}


def _malformed(reason: str) -> Expect:
    """strict's refusal of the assertion: its VP does not parse (RFC021 §4.5 code)."""
    return Expect("denied", PRESENTATION, f"{_MALFORMED}{reason}", "token.assertion")


def _vp(world: S2SWorld, spell: Callable[[str], str]) -> Observation:
    """The token request's VP, its signature segment respelled by ``spell``."""

    def change(request: HttpRequest) -> HttpRequest:
        return request.with_form(assertion=spell(request.form["assertion"]))

    return tamper_token_request(world, change)


@S2S.case(
    id="s2s-vp-padded-signature",
    title="JWT VP whose signature segment carries base64 padding",
    attack="the VP's signature segment is padded with '=' (a non-conformant encoder); the bytes are the GP's",
    # jwx Guess: a part ending in "=" is decoded as padded base64url (both reference versions).
    expected=read_by_the_reference(_malformed("compact JWS parts are base64url without padding")),
    refs=("RFC 7515 §2", "RFC 7515 §7.1", "ATTACKS.md 3.1 #1"),
)
def vp_padded_signature(world: S2SWorld) -> Observation:
    """A VP from a wallet that pads base64url: the reference takes it, RFC 7515 §2 does not."""
    return _vp(world, padded)


@S2S.case(
    id="s2s-vp-signature-second-spelling",
    title="JWT VP whose signature segment is a second spelling of the same bytes",
    attack="the last symbol of the VP's signature has its unused bit set: another text, the same signature",
    # Go's encoding/base64 without Strict() ignores unused trailing bits (RFC 4648 §3.5 MAY reject).
    expected=read_by_the_reference(_malformed("invalid base64url: non-canonical encoding")),
    refs=("RFC 4648 §3.5", "RFC 7515 §2", "ATTACKS.md 3.1 #1"),
)
def vp_signature_second_spelling(world: S2SWorld) -> Observation:
    """One VP, two texts: the signature malleability RFC 4648 §3.5 warns of."""
    return _vp(world, second_spelling)


@S2S.case(
    id="s2s-dpop-padded-signature",
    title="Token-endpoint DPoP proof whose signature segment carries base64 padding",
    attack="the DPoP proof's signature segment is padded with '='; the proof is the client's own",
    # crypto/dpop/dpop.go Parse: jws.ParseString and jwt.ParseString both read it with jwx's
    # auto-detecting decoder, so the proof verifies; strict refuses it as RFC 7515 §2 does.
    expected=read_by_the_reference(DPOP_INVALID),
    refs=("RFC 7515 §2", "RFC 9449 §4.3 step 2", "ATTACKS.md 3.6 #50"),
)
def dpop_padded_signature(world: S2SWorld) -> Observation:
    """The client's own DPoP proof with ``==`` after its signature."""

    def change(request: HttpRequest) -> HttpRequest:
        return request.with_headers(DPoP=padded(request.header("DPoP") or ""))

    return tamper_token_request(world, change)
