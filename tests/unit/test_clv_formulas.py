"""The lifetime value formulas of models_py/clv.py against an independent computation: each
customer's posterior over their purchase rate and dropout probability integrated numerically
from the models' definitions (a gamma prior on the rate, a beta prior on the dropout), not from
the closed forms the project uses; and the published CDNOW parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats
from support import SHARED_DATA_DIR

from models_py import clv

CDNOW = SHARED_DATA_DIR / "cdnow" / "CDNOW_sample.txt.gz"
# Fader, Hardie and Lee (2005) on CDNOW, alpha in days (4.414 weeks)
PUBLISHED = {"r": 0.243, "alpha": 4.414 * 7, "a": 0.793, "b": 2.426}


def customers(n: int = 200, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    big_t = rng.integers(30, 400, n).astype(float)
    x = rng.integers(0, 25, n)
    t_x = np.where(x > 0, np.floor(rng.uniform(0.05, 1.0, n) * big_t), 0.0)
    return pd.DataFrame({"x": x, "t_x": t_x, "T": big_t, "mean_repeat_spend": rng.gamma(3, 20, n)})


def posterior_integrals(model: str, params: dict, row, horizon: float) -> tuple[float, float]:
    """P(alive at T) and the expected purchases in `horizon` days, by quadrature over the rate
    (a log grid) and the dropout probability (Gauss-Jacobi for the beta prior)."""
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    x, t_x, big_t = float(row.x), float(row.t_x), float(row.T)
    lo = stats.gamma.ppf(1e-12, r + x, scale=1 / (alpha + big_t))
    hi = stats.gamma.ppf(1 - 1e-12, r + x, scale=1 / (alpha + t_x))
    log_rate = np.linspace(np.log(max(lo, 1e-300)), np.log(hi), 1500)
    rate = np.exp(log_rate)[:, None]
    nodes, weights = special.roots_jacobi(120, b - 1, a - 1)  # (1-u)^(b-1) (1+u)^(a-1)
    p = ((1 + nodes) / 2)[None, :]
    # the gamma prior's density times the Jacobian of the log grid, up to a constant
    log_prior_rate = r * np.log(rate) - alpha * rate
    stays_power = x + 1 if model == "mbg_nbd" else x
    alive = np.exp(stays_power * np.log1p(-p) + x * np.log(rate) - rate * big_t + log_prior_rate)
    if model == "mbg_nbd":
        gone = np.exp(np.log(p) + x * np.log1p(-p) + x * np.log(rate) - rate * t_x + log_prior_rate)
    elif x > 0:
        gone = np.exp(
            np.log(p) + (x - 1) * np.log1p(-p) + x * np.log(rate) - rate * t_x + log_prior_rate
        )
    else:
        gone = np.zeros_like(alive)
    future = (1 - np.exp(-rate * p * horizon)) / p  # expected purchases of one alive in horizon

    def integral(values):
        return float(np.trapezoid(values @ weights, log_rate))

    evidence = integral(alive + gone)
    return integral(alive) / evidence, integral(alive * future) / evidence


@pytest.mark.parametrize("model", ["bg_nbd", "mbg_nbd"])
def test_p_alive_and_expected_purchases_match_the_integrated_posterior(model):
    summary = customers()
    fit = clv.Fit(model, PUBLISHED, 0.0, len(summary), True)
    horizon = 90.0
    got_alive = clv.p_alive(fit, summary)
    got_purchases = clv.expected_purchases(fit, summary, horizon)
    want = np.array(
        [posterior_integrals(model, PUBLISHED, row, horizon) for row in summary.itertuples()]
    )
    np.testing.assert_allclose(got_alive, want[:, 0], rtol=2e-3, atol=1e-6)
    np.testing.assert_allclose(got_purchases, want[:, 1], rtol=2e-3, atol=1e-6)
    # not a degenerate check: the customers span alive and gone, light and heavy buyers
    assert got_alive.min() < 0.2 and got_alive.max() > 0.9
    assert got_purchases.max() > 5 * np.median(got_purchases)


def test_no_purchase_risk_is_the_posterior_share_with_no_purchase():
    """P(no purchase in h) = P(gone) + P(alive and no event at the posterior rate), the rate's
    posterior integrated directly."""
    summary = customers(50)
    fit = clv.Fit("bg_nbd", PUBLISHED, 0.0, len(summary), True)
    horizon = 60.0
    got = clv.p_no_purchase(fit, summary, horizon)
    r, alpha = PUBLISHED["r"], PUBLISHED["alpha"]
    alive = clv.p_alive(fit, summary)
    for row, value, alive_share in zip(summary.itertuples(), got, alive, strict=True):
        rate = stats.gamma(r + row.x, scale=1 / (alpha + row.T))
        lams = rate.ppf(np.linspace(1e-6, 1 - 1e-6, 20001))
        none_if_alive = np.mean(np.exp(-lams * horizon))
        assert value == pytest.approx(1 - alive_share + alive_share * none_if_alive, rel=2e-3)


def test_gamma_gamma_expected_spend_is_the_posterior_mean():
    summary = customers(40)
    params = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    got = clv.expected_spend(clv.Fit("gamma_gamma", params, 0.0, 40, True), summary)
    for row, value in zip(summary.itertuples(), got, strict=True):
        if row.x == 0:
            assert value == pytest.approx(params["p"] * params["gamma"] / (params["q"] - 1))
            continue
        # the spend scale nu: gamma(q, gamma) prior, each purchase's spend gamma(p, nu)
        nus = np.linspace(1e-4, 5, 200_001)
        log_post = (
            (params["q"] - 1) * np.log(nus)
            - params["gamma"] * nus
            + row.x * (params["p"] * np.log(nus) - nus * row.mean_repeat_spend)
        )
        weight = np.exp(log_post - log_post.max())
        want = np.trapezoid(weight * params["p"] / nus, nus) / np.trapezoid(weight, nus)
        assert value == pytest.approx(want, rel=1e-3)


@pytest.mark.real_data
def test_cdnow_gives_the_published_parameters():
    """Fader, Hardie and Lee (2005) and Fader and Hardie's Gamma-Gamma note, on a summary
    computed here: one transaction per customer-day, calibration to 1997-09-30 inclusive."""
    if not CDNOW.exists():
        pytest.skip(f"CDNOW sample not found at {CDNOW}")
    raw = pd.read_csv(CDNOW, sep=r"\s+", header=None, names=["id", "customer_id", "day", "cds", "spend"],
                      dtype={"day": str})  # fmt: skip
    raw["order_date"] = pd.to_datetime(raw["day"], format="%Y%m%d")
    days = raw.groupby(["customer_id", "order_date"], as_index=False)["spend"].sum()
    end = pd.Timestamp("1997-09-30")
    calibration = days.loc[days["order_date"] <= end]
    first = calibration.groupby("customer_id")["order_date"].transform("min")
    summary = clv.customer_summary(days, end)
    assert len(summary) == 2357 and summary["x"].sum() == (calibration["order_date"] > first).sum()
    fit = clv.fit_purchases(summary, "bg_nbd")
    for name, value in PUBLISHED.items():
        assert fit.params[name] == pytest.approx(value, rel=0.01), name
    spend = clv.fit_spend(summary)
    for name, value in {"p": 6.25, "q": 3.74, "gamma": 15.44}.items():
        assert spend.params[name] == pytest.approx(value, rel=0.01), name


def test_every_candidate_scores_customers():
    """Whichever candidate a store serves, its customers get every score (gradient boosting and
    the naive baseline have no dropout: P(alive) is 1)."""
    rng = np.random.default_rng(5)
    days = pd.DataFrame(
        {
            "customer_id": rng.integers(0, 300, 3000),
            "order_date": pd.Timestamp("2020-01-01")
            + pd.to_timedelta(rng.integers(0, 400, 3000), "D"),
            "spend": rng.gamma(2, 30, 3000),
        }
    ).drop_duplicates(["customer_id", "order_date"])
    end = days["order_date"].max()
    summary = clv.customer_summary(days, end)
    spend = clv.fit_spend(summary)
    for model in clv.PURCHASE_MODELS:
        fit = clv.fit_candidate(model, summary, days, end, 90)
        scores = clv.score_customers(fit, spend, summary, 90, 365, 0.1)
        assert scores.notna().all().all() and len(scores) == len(summary), model
        assert scores["churn_risk"].between(0, 1).all() and (scores["predicted_clv"] >= 0).all()
        if model in ("naive", "gradient_boosting"):
            assert (scores["p_alive"] == 1).all()
