"""``nutssim pack``: a sample pack read without Python, the same bytes for one seed (issue #20 item 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nutssim.cli import main
from nutssim.errors import InputError
from nutssim.views.pack import write_pack


def tree(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` by relative path."""
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    out = tmp_path_factory.mktemp("pack") / "s2s-dynamic-scope"
    return write_pack("s2s-dynamic-scope", out, seed=3)


def test_the_same_seed_gives_a_byte_identical_pack(pack, tmp_path):
    again = write_pack("s2s-dynamic-scope", tmp_path / "again", seed=3)
    assert tree(again.directory) == tree(pack.directory)
    other = write_pack("s2s-dynamic-scope", tmp_path / "other", seed=4)
    assert tree(other.directory)["trace/trace.json"] != tree(pack.directory)["trace/trace.json"]


def test_the_layout_is_what_the_readme_says(pack):
    files = set(pack.files)
    assert {
        "README.md",
        "manifest.json",
        "exchanges/index.md",
        "wallets/before.json",
        "wallets/after.json",
        "policies/ziekenhuis-oost.json",
        "policies/rego/scopes.rego",
        "trace/trace.json",
        "trace/report.html",
    } <= files
    readme = (pack.directory / "README.md").read_text()
    assert readme.startswith("# Sample pack: `s2s-dynamic-scope`")
    assert "nutssim pack s2s-dynamic-scope --seed 3 --profile nuts-node --out DIR" in readme
    manifest = json.loads((pack.directory / "manifest.json").read_text())
    assert manifest["format"] == "nutssim-pack/1" and manifest["outcome"]["status"] == "granted"
    assert set(manifest["files"]) == files - {"manifest.json", "README.md"}


def test_every_exchange_has_its_http_file_with_the_bytes_as_sent(pack):
    trace = json.loads((pack.directory / "trace/trace.json").read_text())
    exchanges = [e for e in trace["events"] if e["type"] == "exchange"]
    http = sorted(f for f in pack.files if f.endswith(".http"))
    assert len(http) == len(exchanges)
    (pdp,) = [f for f in http if "authzen-access-evaluations" in f]
    data = (pack.directory / pdp).read_bytes()
    request, _, response = data.partition(b"\r\n\r\nHTTP/1.1 ")
    assert request.startswith(b"POST /access/v1/evaluations HTTP/1.1\r\nHost: pdp.example\r\n")
    head, _, body = request.partition(b"\r\n\r\n")
    assert f"Content-Length: {len(body)}".encode() in head
    assert json.loads(body)["action"] == {"name": "request_scope"}
    assert response.startswith(b"200 OK\r\nContent-Type: application/json\r\n")


def test_jwts_are_decoded_next_to_their_exchange(pack):
    (token_file,) = [f for f in pack.files if f.endswith("token-request.jwt.json")]
    tokens = json.loads((pack.directory / token_file).read_text())
    assert [t["where"] for t in tokens] == ["request header DPoP", "request form assertion"]
    vp = tokens[1]
    assert vp["where"] == "request form assertion" and vp["header"]["alg"] == "ES256"
    assert "vp" in vp["payload"] and vp["compact"].count(".") == 2
    assert vp["nested"][0]["payload"]["vc"]["type"][-1] == "NutsOrganizationCredential"


def test_the_wallets_before_and_after_hold_the_raw_credentials(pack):
    before = json.loads((pack.directory / "wallets/before.json").read_text())
    (held,) = before["gp/huisarts-west"]["credentials"]
    assert held["type"] == "NutsOrganizationCredential" and held["raw"].count(".") == 2
    assert held["payload"]["iss"] == held["issuer"]


def test_a_user_flow_pack_shows_the_session_wallet_made_during_the_run(tmp_path):
    made = write_pack("user", tmp_path / "user", seed=1)
    before = json.loads((made.directory / "wallets/before.json").read_text())
    after = json.loads((made.directory / "wallets/after.json").read_text())
    added = sorted(set(after) - set(before))
    assert added and all("/session:did:jwk:" in name for name in added)


def test_a_pack_goes_only_into_a_new_or_empty_directory(pack):
    with pytest.raises(InputError, match="the pack directory is not empty"):
        write_pack("s2s", pack.directory)


def test_the_command_writes_the_pack_and_says_where(tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["pack", "s2s-pdp-down", "--out", str(out), "--option", "scope=eoverdracht"]) == 1
    assert capsys.readouterr().out.startswith(f"{len(tree(out))} files in {out} (outcome: denied)")
    assert "--option 'scope=eoverdracht'" in (out / "README.md").read_text()
    assert main(["pack", "s2s", "--out", str(out)]) == 2  # not empty: one line, no traceback
    assert "the pack directory is not empty" in capsys.readouterr().err
