"""The views on the real service-to-service scenario (``nutssim.scenarios``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nutssim import scenarios
from nutssim.trace import Trace
from nutssim.views import Player, html_report, inspect_text, load_trace, render_png, to_mermaid
from nutssim.views.player import editable_text
from tests.views.test_exports import EXTERNAL, parse_mermaid
from tests.views.test_sequence import arrows

# A glyph missing from the font would show as a box on the projector.
pytestmark = pytest.mark.filterwarnings("error:Glyph:UserWarning")


@pytest.fixture
def s2s() -> Trace:
    """A granted s2s run, seed 1."""
    trace: Trace = scenarios.build("s2s", seed=1).run().trace
    return trace


def test_every_view_reads_the_s2s_trace(s2s: Trace, output: Path) -> None:
    from nutssim.views import draw_sequence

    ax = draw_sequence(s2s)
    assert len(arrows(ax, "request")) == len(s2s.exchanges) == len(arrows(ax, "response"))
    assert len(parse_mermaid(to_mermaid(s2s))["requests"]) == len(s2s.exchanges)
    page = html_report(s2s)
    assert not EXTERNAL.search(page) and "granted" in page
    (output / "sequence-s2s.png").write_bytes(render_png(s2s))
    (output / "sequence-s2s-folded.png").write_bytes(render_png(s2s, fold=True))
    (output / "report-s2s.html").write_text(page, encoding="utf-8")
    assert load_trace(s2s.to_dict()).to_dict() == s2s.to_dict()


def test_token_request_is_decoded_and_verified_from_the_trace(s2s: Trace) -> None:
    token = s2s.find("token request")[0]
    text = " ".join(inspect_text(token, s2s).split())
    assert "DPoP proof · in request header DPoP" in text
    assert "verifiable presentation (JWT) · in request form assertion" in text
    assert "verifiable credential (JWT) · in vp.verifiableCredential[0]" in text
    assert (
        text.count("signature: valid") >= 3
    )  # proof, VP and nested VC, keys from DID documents in the trace
    assert "audience: who it is for" in text and "(now+5 s," in text


def test_an_edit_through_the_player_reaches_the_node_and_the_trace() -> None:
    flow = scenarios.build("s2s", seed=1).start()
    player = Player(flow)
    text = editable_text(player.pending.request)
    player.deliver_edited(text.replace('"eoverdracht"', '"no-such-scope"'))
    while not flow.done:
        player.deliver()
    first = flow.trace.exchanges[0]
    assert first.note == "edited by user" and first.request.json["scope"] == "no-such-scope"
    assert flow.trace.outcome["status"] == "denied"
    pd = flow.trace.find("presentation definition")[0]
    assert pd.request.query["scope"] == "no-such-scope"  # the node acted on the edited body


@pytest.fixture
def user() -> Trace:
    """A granted user-flow run, seed 1 (browser redirects, JARs, OpenID4VP, a did:jwk wallet)."""
    trace: Trace = scenarios.build("user", seed=1).run().trace
    return trace


def test_user_flow_redirects_go_through_the_browser(user: Trace, output: Path) -> None:
    from nutssim.views import draw_sequence

    ax = draw_sequence(user, fold=True)
    browser = next(p for p in user.parties.values() if p.role == "browser").id
    redirects = [x for x in user.exchanges if x.response.is_redirect]
    assert redirects and all(x.sender == browser for x in redirects)
    labels = [t.get_text() for t in ax.texts]
    assert sum("↪" in text for text in labels) == len(redirects)
    assert len(parse_mermaid(to_mermaid(user))["requests"]) == len(user.exchanges)
    (output / "sequence-user.png").write_bytes(render_png(user))
    (output / "sequence-user-folded.png").write_bytes(render_png(user, fold=True))


def test_user_wallet_presentation_is_verified_through_its_did_jwk(user: Trace) -> None:
    post = user.find("authorization response (direct_post)")[-1]
    text = " ".join(inspect_text(post, user).split())
    assert "verifiable presentation (JWT) · in request form vp_token" in text
    assert "signature: valid, checked against the key inside its did:jwk" in text
