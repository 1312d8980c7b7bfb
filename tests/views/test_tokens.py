"""Finding JWTs by shape, decoding nested credentials and verifying where the trace allows."""

from __future__ import annotations

import json

from nutssim.jose import KeyPair, sign
from nutssim.messages import HttpRequest, HttpResponse, json_response, redirect
from nutssim.rng import SimRandom, b64url
from nutssim.specs.rfc9449 import make_proof
from nutssim.trace import Exchange
from nutssim.views import inspect_html, inspect_text
from nutssim.views.tokens import did_jwk_key, find_tokens, looks_like_jwt


def exchange(request: HttpRequest, response: HttpResponse) -> Exchange:
    return Exchange(1, 1735689600, "a", "b", None, "test", request, response)


def test_shape_and_json_decide_what_is_a_jwt() -> None:
    key = KeyPair.generate(SimRandom(1))
    assert looks_like_jwt(sign({}, {"a": 1}, key))
    assert not looks_like_jwt("abc.def.ghi")  # three parts, but not JSON
    assert not looks_like_jwt("opaque-access-token_43chars_xxxxxxxxxxxxxx")
    assert not looks_like_jwt(b64url(b"[1]") + "." + b64url(b"{}") + ".")  # header is not an object


def test_a_jwt_spelled_as_jwx_reads_it_is_shown_as_one() -> None:
    """A padded signature (s2s-vp-padded-signature): the reference reads the token, so the views do."""
    token = sign({}, {"a": 1}, KeyPair.generate(SimRandom(1)))
    assert looks_like_jwt(f"{token}==")
    assert not looks_like_jwt(f"{token}===")  # no base64 pads three


def test_dpop_proof_verifies_and_a_tampered_one_does_not() -> None:
    rng = SimRandom(2)
    key = KeyPair.generate(rng)
    proof = make_proof(key, htm="GET", htu="https://rs.example/r", now=1735689600, rng=rng)
    head, _, sig = proof.split(".")
    forged = f"{head}.{b64url(json.dumps({'htm': 'POST'}).encode())}.{sig}"
    request = HttpRequest.get("https://rs.example/r", headers={"DPoP": proof, "X-Other": forged})
    tokens = find_tokens(exchange(request, HttpResponse(200)))
    assert [t.verified for t in tokens] == [True, False]
    assert tokens[1].signature.startswith("INVALID")


def test_did_jwk_signed_tokens_verify_against_their_did() -> None:
    key = KeyPair.generate(SimRandom(3))
    did = "did:jwk:" + b64url(json.dumps(key.public_jwk()).encode())
    assert did_jwk_key(did + "#0") == key.public_jwk()
    token = sign({"kid": f"{did}#0"}, {"iss": did}, key)
    response = redirect(f"https://wallet.example/cb?vp_token={token}")
    [found] = find_tokens(exchange(HttpRequest.get("https://x.example/"), response))
    assert found.verified is True and "did:jwk" in found.signature
    assert found.where == "response header Location → vp_token"


def test_tokens_in_json_bodies_and_json_ld_presentations_are_found() -> None:
    key = KeyPair.generate(SimRandom(4))
    vc = sign({"kid": "did:web:i.example#1"}, {"vc": {"type": ["VerifiableCredential"]}}, key)
    vp = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": "VerifiablePresentation",
        "verifiableCredential": [vc],
        "proof": {"type": "JsonWebSignature2020"},
    }
    request = HttpRequest.post_form("https://as.example/token", {"assertion": json.dumps(vp)})
    response = json_response(200, {"nested": {"id_token": vc}, "access_token": "opaque"})
    tokens = find_tokens(exchange(request, response))
    assert [t.number for top in tokens for t in top.walk()] == ["1", "1.1"]
    assert tokens[0].kind == "json-ld" and tokens[0].children[0].kind == "jwt"
    assert "canonicalisation" in tokens[0].signature
    assert tokens[0].children[0].signature.startswith("not verified here")


def test_search_and_inspector_survive_hostile_nesting() -> None:
    for depth in (600, 5000):  # parseable but too deep to print; too deep to parse
        body = "[" * depth + '"x"' + "]" * depth
        request = HttpRequest("POST", "https://as.example/", (("Content-Type", "application/json"),), body)
        hostile = exchange(request, HttpResponse(200, (("Content-Type", "application/json"),), body))
        assert find_tokens(hostile) == []
        assert "POST https://as.example/" in inspect_text(hostile)
        assert inspect_html(hostile).count("<pre>") >= 2


def test_the_key_reference_names_the_did_document_the_receiver_used() -> None:
    """A DID resolved several times in a run: each token's key comes from the fetch its verifier made."""
    import re

    from nutssim import scenarios

    trace = scenarios.run("user", seed=7).sim.trace
    by_seq = {x.seq: x for x in trace.exchanges}

    def inside(seq: int, ancestor: int) -> bool:
        parent = by_seq[seq].parent
        while parent is not None:
            if parent == ancestor:
                return True
            parent = by_seq[parent].parent
        return False

    kinds = set()
    for exchange in trace.exchanges:
        for found in re.findall(r"served in exchange #(\d+)", inspect_text(exchange, trace)):
            source = by_seq[int(found)]
            if inside(source.seq, exchange.seq):
                kinds.add("resolved while handling the request")
            elif source.seq > exchange.seq and source.sender == exchange.sender:
                kinds.add("resolved by the requester after the response")
            else:
                assert source.seq < exchange.seq, (exchange.seq, exchange.label, source.seq)
                kinds.add("resolved earlier")
    assert {"resolved while handling the request", "resolved by the requester after the response"} <= kinds
    # The s2s token request: the VP's key comes from the fetch made while handling it, not a later one.
    s2s = scenarios.run("s2s", seed=7).sim.trace
    token_request = s2s.latest("token request")
    cited = re.findall(r"served in exchange #(\d+)", inspect_text(token_request, s2s))
    assert cited and all(int(seq) > token_request.seq for seq in cited)
    assert all(
        next(x for x in s2s.exchanges if x.seq == int(seq)).parent == token_request.seq for seq in cited
    )
