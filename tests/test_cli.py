"""The command line through ``python -m nutssim`` (issue #11 part 4): exit codes, formats, files, help.

Reproducibility is checked here too: the same seed gives byte-identical JSON, and a saved
trace re-renders (Mermaid, HTML) exactly as the run that made it, without running again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nutssim import cli, scenarios
from nutssim.scenarios import ScenarioSpec

ROOT = Path(__file__).resolve().parents[1]
SUBCOMMANDS = ("scenarios", "run", "inspect", "cases", "sweep", "lint", "profiles")


def nutssim(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m nutssim ARGS`` and return the finished process (text, never raising)."""
    return subprocess.run(
        [sys.executable, "-m", "nutssim", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
        input=stdin,
        env={**os.environ, "NO_COLOR": "", "FORCE_COLOR": "", **(env or {})},
    )


def assert_usage_error(done: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit 2, one line on standard error naming the problem, no traceback, nothing on standard output."""
    assert done.returncode == 2, (done.returncode, done.stdout[-500:], done.stderr)
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("nutssim"), done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


@pytest.fixture(scope="module")
def s2s_trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``nutssim run s2s --seed 3 --format json --out …``: a saved trace."""
    path = tmp_path_factory.mktemp("cli") / "s2s.json"
    done = nutssim("run", "s2s", "--seed", "3", "--format", "json", "--out", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    return path


# -- help and usage errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["", *SUBCOMMANDS])
def test_every_subcommand_has_help_with_examples_and_exit_codes(command: str) -> None:
    done = nutssim(*([command] if command else []), "--help")
    assert done.returncode == 0, done.stderr
    assert "example" in done.stdout and "exit codes" in done.stdout
    if command in ("run", "inspect", "cases", "lint", "scenarios"):
        assert "--format" in done.stdout and "--out" in done.stdout


def test_no_command_prints_help_and_exits_2() -> None:
    done = nutssim()
    assert done.returncode == 2 and "COMMAND" in done.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("run", "s2z"), ("unknown scenario 's2z'", "did you mean 's2s'?")),
        (("frobnicate",), ("invalid choice: 'frobnicate'",)),
        (("run",), ("required: name",)),
        (("run", "s2s", "--profile", "lenient"), ("--profile", "invalid choice: 'lenient'")),
        (("run", "s2s", "--format", "pdf"), ("--format",)),
        (("run", "s2s", "--seed", "x"), ("--seed",)),
        (("run", "s2s", "--out", "/nonexistent/dir/out.txt"), ("No such file or directory",)),
        (("inspect", "missing.json"), ("missing.json: no such file",)),
        (("inspect", "not-a-token"), ("not a compact JWT",)),
        (("cases", "--flow", "nope"), ("no cases for flow 'nope'",)),
        (("lint", "missing-policy.json"), ("no such file or directory",)),
    ],
)
def test_usage_errors_exit_2_in_one_line(args: tuple[str, ...], words: tuple[str, ...]) -> None:
    assert_usage_error(nutssim(*args), *words)


def test_inspect_usage_errors(s2s_trace: Path, tmp_path: Path) -> None:
    assert_usage_error(
        nutssim("inspect", str(s2s_trace), "--seq", "999"), "no exchange #999", "exchanges: 2–"
    )
    assert_usage_error(nutssim("inspect", str(s2s_trace), "--seq", "x"), "--seq")
    other = tmp_path / "other.json"
    other.write_text('{"a": 1}')
    assert_usage_error(nutssim("inspect", str(other)), "neither a verifiable credential")
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "nutssim-trace/1", "parties": [], "events": [{"type": "exchange"}]}')
    assert_usage_error(nutssim("inspect", str(broken)), "not a readable nutssim trace")
    token = _token(s2s_trace, "token request", "assertion")
    assert_usage_error(nutssim("inspect", token, "--seq", "3"), "--seq selects an exchange of a trace")
    assert_usage_error(nutssim("inspect", token, "--format", "mermaid"), "mermaid draws a whole trace")


# -- scenarios and run ------------------------------------------------------------------------------


def test_scenarios_as_text_and_json(tmp_path: Path) -> None:
    done = nutssim("scenarios")
    assert done.returncode == 0 and any(line.startswith("s2s ") for line in done.stdout.splitlines())
    out = tmp_path / "scenarios.json"
    assert nutssim("scenarios", "--format", "json", "--out", str(out)).returncode == 0
    rows = json.loads(out.read_text())
    assert {"s2s", "user"} <= {r["name"] for r in rows}
    assert {r["flow"] for r in rows if r["name"] == "user"} == {"user"}


@pytest.mark.parametrize("name", ["s2s", "user"])
def test_run_json_is_byte_identical_across_runs(name: str) -> None:
    first = nutssim("run", name, "--seed", "11", "--format", "json")
    second = nutssim("run", name, "--seed", "11", "--format", "json")
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert first.stdout == second.stdout
    export = json.loads(first.stdout)
    assert export["seed"] == 11 and export["scenario"] == name and export["outcome"]["status"] == "granted"
    assert nutssim("run", name, "--seed", "12", "--format", "json").stdout != first.stdout


def test_run_writes_every_format_to_a_file(tmp_path: Path) -> None:
    for fmt, start in (
        ("text", "  2 ehr-gp → gp"),
        ("mermaid", "sequenceDiagram"),
        ("html", "<!doctype html>"),
    ):
        out = tmp_path / f"s2s.{fmt}"
        done = nutssim("run", "s2s", "--format", fmt, "--out", str(out))
        assert done.returncode == 0 and done.stdout == "", done.stderr
        assert out.read_text(encoding="utf-8").startswith(start)


def test_piped_text_is_plain_and_forced_colour_is_not() -> None:
    plain = nutssim("run", "s2s")
    assert plain.returncode == 0 and "\x1b[" not in plain.stdout and "outcome: granted" in plain.stdout
    coloured = nutssim("run", "s2s", env={"FORCE_COLOR": "1"})
    assert "\x1b[" in coloured.stdout


def test_run_exits_1_when_the_outcome_is_not_the_expected_one(capsys: pytest.CaptureFixture[str]) -> None:
    """A scenario that expects denial but is granted: the command says so with exit 1."""

    def build(seed: int = 0, profile: str = "nuts-node", **options: object) -> scenarios.World:
        world = scenarios.build("s2s", seed=seed, profile=profile)
        start = world.starter
        world.starter = lambda **o: start(**{k: v for k, v in o.items() if k != "expect"})
        world.options["expect"] = "denied"
        return world

    scenarios.SCENARIOS["test-expects-denial"] = ScenarioSpec("test-expects-denial", "test", build)
    try:
        assert cli.main(["run", "test-expects-denial"]) == cli.EXIT_MISMATCH
    finally:
        del scenarios.SCENARIOS["test-expects-denial"]
    assert "outcome: granted" in capsys.readouterr().out


# -- run: --policy, --without, --option (issue #19 item 4) ---------------------------------------------


def test_run_with_a_control_off_and_a_policy_file_from_a_fresh_copy(tmp_path: Path) -> None:
    """``nutssim run s2s --without vp_nonce_store --policy FILE``: that profile, that policy."""
    policy = json.loads((ROOT / "nutssim/data/policies/zorgtoepassing.json").read_text())
    path = tmp_path / "my-policy.json"
    path.write_text(json.dumps(policy))
    done = nutssim(
        "run", "s2s", "--without", "vp_nonce_store", "--without", "pkce", "--policy", str(path),
        "--format", "json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    export = json.loads(done.stdout)
    assert export["profile"] == "nuts-node -pkce -vp_nonce_store"
    # The one-scope policy's scope is requested (the s2s default, eoverdracht, is not in this file).
    assert export["outcome"]["status"] == "granted"
    assert export["outcome"]["token"]["scope"] == "zorgtoepassing"


def test_a_policy_that_does_not_fit_is_denied_not_a_crash(tmp_path: Path) -> None:
    policy = json.loads((ROOT / "nutssim/data/policies/eoverdracht.json").read_text())
    for definition in policy["eoverdracht"].values():
        if isinstance(definition, dict) and "input_descriptors" in definition:
            definition["input_descriptors"][0]["constraints"]["fields"].append(
                {"path": ["$.issuer"], "filter": {"type": "string", "const": "did:web:nobody.example"}}
            )
    path = tmp_path / "strict-issuer.json"
    path.write_text(json.dumps(policy))
    done = nutssim("run", "s2s", "--policy", str(path))
    assert done.returncode == 1 and "outcome: denied" in done.stdout, done.stdout[-400:] + done.stderr


def test_run_with_an_option() -> None:
    bearer = nutssim("run", "s2s", "--option", "dpop=false", "--format", "json")
    assert bearer.returncode == 0, bearer.stderr
    assert json.loads(bearer.stdout)["outcome"]["token"]["token_type"] == "Bearer"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("run", "s2s", "--without", "vp_nonce_stor"), ("unknown control", "did you mean 'vp_nonce_store'?")),
        (("run", "s2s", "--option", "dpp=false"), ("no option 'dpp'", "did you mean 'dpop'?")),
        (("run", "s2s", "--option", "dpop"), ("not KEY=VALUE",)),
        (("run", "s2s", "--policy", "no-such-policy.json"), ("no-such-policy.json", "no such policy file")),
        (("scenarios", "s2z"), ("unknown scenario 's2z'", "did you mean 's2s'?")),
        (("sweep",), ("needs a spec file", "--example")),
    ],
)
def test_run_option_errors_exit_2_in_one_line(args: tuple[str, ...], words: tuple[str, ...]) -> None:
    assert_usage_error(nutssim(*args), *words)


def test_a_policy_file_that_is_no_policy_names_the_file_and_scope(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"eoverdracht": 1}')
    assert_usage_error(nutssim("run", "s2s", "--policy", str(path)), "bad.json", "'eoverdracht'")


def test_scenarios_name_lists_its_options_and_the_controls(tmp_path: Path) -> None:
    done = nutssim("scenarios", "s2s")
    assert done.returncode == 0, done.stderr
    assert "--option KEY=VALUE" in done.stdout and "--without CONTROL" in done.stdout
    for word in ("dpop", "policy", "scope", "vp_nonce_store", "RFC021 §4.4"):
        assert word in done.stdout
    out = tmp_path / "s2s.json"
    assert nutssim("scenarios", "user", "--format", "json", "--out", str(out)).returncode == 0
    row = json.loads(out.read_text())
    assert row["name"] == "user" and "dpop" in {o["name"] for o in row["options"]}
    assert "pkce" in row["controls"]


# -- sweep --example ------------------------------------------------------------------------------------


def test_sweep_example_is_the_shipped_example_and_runs(tmp_path: Path) -> None:
    from nutssim import sweep

    done = nutssim("sweep", "--example")
    assert done.returncode == 0, done.stderr
    shipped = ROOT / "examples" / "sweep-issuer-trust.yaml"
    assert done.stdout == shipped.read_text(encoding="utf-8")
    assert done.stdout.count("\n#") >= 5  # commented, not a bare grid
    spec = sweep.load_spec(shipped)
    assert spec.size > 1 and set(spec.shape) >= {"policy", "wallet"}
    small = tmp_path / "small.yaml"
    small.write_text(done.stdout.replace("profile: [nuts-node, strict]", "profile: [nuts-node]"))
    result = sweep.run_sweep(sweep.load_spec(small), workers=0, out=tmp_path / "r.csv")
    assert result.completed == result.total and {"granted", "denied"} <= set(result.statuses)


# -- inspect -------------------------------------------------------------------------------------------


def _token(trace: Path, label: str, field: str) -> str:
    export = json.loads(trace.read_text())
    exchange = next(e for e in export["events"] if e.get("label") == label)
    request = exchange["request"]
    return str(request.get("form", {}).get(field) or request["headers"][field])


def test_inspect_a_vp_from_a_run_decodes_nested_credentials_and_explains_claims(s2s_trace: Path) -> None:
    token = _token(s2s_trace, "token request", "assertion")
    done = nutssim("inspect", token)
    assert done.returncode == 0, done.stderr
    assert "verifiable presentation (JWT)" in done.stdout
    assert "JWT 1.1 · verifiable credential (JWT) · in vp.verifiableCredential[0]" in done.stdout
    assert "audience: who it is for" in done.stdout and "replay protection" in done.stdout
    assert "not verified here" in done.stdout  # no DID documents at hand
    verified = json.loads(nutssim("inspect", token, "--trace", str(s2s_trace), "--format", "json").stdout)
    vp, vc = verified["tokens"][0], verified["tokens"][0]["children"][0]
    assert vp["verified"] is True and vp["signature"].startswith(
        "valid, checked against key did:web:gp.example"
    )
    assert vc["verified"] is True and vc["signature"].startswith(
        "valid, checked against key did:web:register"
    )


def test_inspect_a_dpop_proof_as_json_and_from_standard_input(s2s_trace: Path) -> None:
    proof = _token(s2s_trace, "token request", "DPoP")
    done = nutssim("inspect", proof, "--format", "json")
    assert done.returncode == 0, done.stderr
    (token,) = json.loads(done.stdout)["tokens"]
    assert token["title"] == "DPoP proof" and token["verified"] is True
    assert token["explained"]["payload"]["htm"] == "DPoP: the HTTP method this proof is bound to"
    piped = nutssim("inspect", "-", stdin=f"DPoP {proof}\n")
    assert piped.returncode == 0 and "DPoP proof" in piped.stdout


def test_inspect_a_json_ld_credential_file(tmp_path: Path) -> None:
    world = scenarios.run("s2s-ldp")
    credential = world.requester.wallet.credentials[0].raw
    path = tmp_path / "vc.json"
    path.write_text(json.dumps(credential))
    done = nutssim("inspect", str(path))
    assert done.returncode == 0, done.stderr
    assert "NutsOrganizationCredential (verifiable credential, JSON-LD)" in done.stdout
    assert "who issued (and signed) the credential" in done.stdout


def test_inspect_a_trace_file_summarises_and_shows_one_exchange(s2s_trace: Path, tmp_path: Path) -> None:
    table = nutssim("inspect", str(s2s_trace))
    assert table.returncode == 0, table.stderr
    assert "trace: scenario s2s · seed 3 · profile nuts-node" in table.stdout
    assert "token request" in table.stdout and "outcome: granted" in table.stdout
    seq = next(
        e["seq"] for e in json.loads(s2s_trace.read_text())["events"] if e.get("label") == "token request"
    )
    one = nutssim("inspect", str(s2s_trace), "--seq", str(seq))
    assert one.returncode == 0 and f"#{seq} token request" in one.stdout and "Checks —" in one.stdout
    summary = json.loads(nutssim("inspect", str(s2s_trace), "--format", "json").stdout)
    assert summary["outcome"]["status"] == "granted"
    assert [x["label"] for x in summary["exchanges"]][:2] == ["request service access token", "AS metadata"]
    record = json.loads(nutssim("inspect", str(s2s_trace), "--seq", str(seq), "--format", "json").stdout)
    assert record["exchange"]["seq"] == seq and record["tokens"][0]["title"] == "DPoP proof"
    out = tmp_path / "one.html"
    assert (
        nutssim(
            "inspect", str(s2s_trace), "--seq", str(seq), "--format", "html", "--out", str(out)
        ).returncode
        == 0
    )
    assert out.read_text().startswith("<!doctype html>")


def test_a_saved_trace_re_renders_as_the_run_did(s2s_trace: Path) -> None:
    """Mermaid and HTML from the saved trace equal those of a fresh run with the same seed."""
    for fmt in ("mermaid", "html"):
        again = nutssim("inspect", str(s2s_trace), "--format", fmt)
        fresh = nutssim("run", "s2s", "--seed", "3", "--format", fmt)
        assert again.returncode == fresh.returncode == 0
        assert again.stdout == fresh.stdout


# -- cases and lint ---------------------------------------------------------------------------------


def test_cases_json_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "cases.json"
    done = nutssim(
        "cases", "--flow", "resource", "--profile", "strict", "--format", "json", "--out", str(out)
    )
    assert done.returncode == 0 and done.stdout == "", done.stderr
    rows = json.loads(out.read_text())
    assert rows and all(r["passed"] and r["profile"] == "strict" for r in rows)


def test_lint_exit_codes_and_json(tmp_path: Path) -> None:
    good = nutssim("lint", "nutssim/data/policies/eoverdracht.json")
    assert good.returncode == 0 and "0 errors" in good.stdout
    out = tmp_path / "lint.json"
    bad = nutssim(
        "lint", "nutssim/data/policies/reference/rfc021-e2e.json", "--format", "json", "--out", str(out)
    )
    assert bad.returncode == 1
    assert any(f["code"] == "self-issued-gap" for f in json.loads(out.read_text()))


def test_a_natural_guess_at_a_policy_variant_names_the_key_and_the_shape(tmp_path: Path) -> None:
    spec = tmp_path / "guess.yaml"
    spec.write_text(
        "flow: s2s-bearer\npolicy:\n  - base\n  - name: no-issuer\n    mutations:\n"
        "      - {op: drop_field, path: $.issuer}\nwallet: [ok]\n"
    )
    assert_usage_error(
        nutssim("sweep", str(spec), "--workers", "0", "--out", str(tmp_path / "r.csv")),
        "policy[1]",
        "unknown key(s) 'mutations'",
        "did you mean 'mutate'?",
        "{name, file | policy, mutate:",
    )


def test_an_unexpected_error_is_one_line_exit_70_and_debug_shows_the_traceback(monkeypatch, capsys):
    import nutssim.cli as cli

    def broken(args):
        raise RuntimeError("boom")

    monkeypatch.setitem(cli.COMMANDS, "scenarios", broken)
    monkeypatch.delenv("NUTSSIM_DEBUG", raising=False)
    assert cli.main(["scenarios"]) == cli.EXIT_INTERNAL == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error (RuntimeError: boom)" in err and "NUTSSIM_DEBUG=1" in err
    monkeypatch.setenv("NUTSSIM_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        cli.main(["scenarios"])


def test_a_binary_file_is_one_line_exit_2(tmp_path, capsys):
    from nutssim.cli import main

    spec = tmp_path / "spec.yaml"
    spec.write_bytes(b"\x00\xff\xfe")
    assert main(["sweep", str(spec)]) == 2
    assert (
        "spec.yaml: the sweep spec is not UTF-8 text (invalid start byte at byte 1)"
        in capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("[" * 100_000, "nested too deeply"),
        ("[]", "a sweep spec is a mapping of fields, not a list"),
        ("a: [\n b: }", "expected the node content, but found '}' at line 2, column 5"),
    ],
)
def test_a_hostile_sweep_spec_is_one_line_exit_2(tmp_path, capsys, content, words):
    from nutssim.cli import main

    spec = tmp_path / "spec.yaml"
    spec.write_text(content)
    assert main(["sweep", str(spec)]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
    assert not (tmp_path / "spec.csv").exists()


def test_a_deeply_nested_policy_is_one_line_exit_2(tmp_path, capsys):
    from nutssim.cli import main

    policy = tmp_path / "deep.json"
    policy.write_text("[" * 100_000)
    assert main(["run", "s2s", "--policy", str(policy)]) == 2
    assert "nested too deeply" in capsys.readouterr().err
