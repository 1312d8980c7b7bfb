"""The results views: the grant/deny matrix, heatmaps over two dimensions, and refusals by failing check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from nutssim import sweep
from nutssim.views import results as views


def test_outcome_matrix(grid_records: list[dict[str, Any]]) -> None:
    table = views.outcome_matrix(grid_records, "wallet", "policy")
    assert list(table.columns) == ["base", "drop $.issuer"]
    assert table.loc["ok", "base"] == "granted"
    assert table.loc["self_issued", "base"] == "denied: invalid_request (client.pd_match)"
    assert table.loc["self_issued", "drop $.issuer"] == "granted"
    assert table.loc["revoked", "base"] == "2/4 granted"  # revocation_check off in half of them


def test_grant_share_over_any_two_dimensions(grid_records: list[dict[str, Any]]) -> None:
    share = views.grant_share(grid_records, "wallet", "controls_off")
    assert share.loc["revoked", "none"] == 0.0 and share.loc["revoked", "revocation_check"] == 1.0
    assert share.loc["self_issued", "none"] == 0.5
    with pytest.raises(KeyError, match="no column 'colour'"):
        views.grant_share(grid_records, "wallet", "colour")


def test_why_groups_refusals_by_failing_check(grid_records: list[dict[str, Any]]) -> None:
    table = views.why(grid_records)
    assert list(table.columns) == ["failed_check", "error", "count", "share", "example"]
    assert table[["failed_check", "count"]].values.tolist() == [
        ["client.pd_match", 24],
        ["token.verify_vp", 8],
        ["vc.revocation", 4],
    ]
    assert abs(table["share"].sum() - 1.0) < 1e-9
    assert "credential is revoked" in table.loc[2, "example"]
    by_wallet = views.why(grid_records, by="wallet")
    assert set(by_wallet["wallet"]) == {
        "missing",
        "expired",
        "revoked",
        "self_issued",
        "untrusted_issuer",
        "other_subject",
    }
    assert views.why([r for r in grid_records if r["status"] == "granted"]).empty


def test_pictures_take_an_ax_and_return_it(tmp_path: Path, grid_records: list[dict[str, Any]]) -> None:
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    assert views.matrix(grid_records, "wallet", "policy", ax=axes[0, 0]) is axes[0, 0]
    assert views.heatmap(grid_records, "controls_off", "wallet", ax=axes[0, 1]) is axes[0, 1]
    assert (
        views.heatmap(grid_records, "policy", "wallet", value="t_total", agg="median", ax=axes[1, 0])
        is axes[1, 0]
    )
    assert views.why_chart(grid_records, by="policy", ax=axes[1, 1]) is axes[1, 1]
    texts = [t.get_text() for t in axes[0, 0].texts]
    assert "✓ granted" in texts and "✗ invalid_request\n(client.pd_match)" in texts
    assert axes[1, 1].get_yticklabels()[0].get_text() == "✗ client.pd_match"
    fig.savefig(tmp_path / "views.png")
    plt.close(fig)


def test_views_read_frames_results_and_files(tmp_path: Path, grid_records: list[dict[str, Any]]) -> None:
    path = sweep.save_records(grid_records, tmp_path / "r.csv")
    expected = views.outcome_matrix(grid_records, "wallet", "policy")
    assert views.outcome_matrix(path, "wallet", "policy").equals(expected)
    assert views.outcome_matrix(sweep.to_frame(grid_records), "wallet", "policy").equals(expected)
    ax = views.why_chart([r for r in grid_records if r["status"] == "granted"])
    assert ax.texts[0].get_text() == "no refusals"
    plt.close("all")
