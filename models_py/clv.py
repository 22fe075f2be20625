"""Customer lifetime value: repeat-purchase and spend models, fitted by maximum likelihood.

The published likelihoods, in days, of one transaction per customer-day, with x the number of
repeat purchase days, t_x the day of the last one and T the days observed, both counted from the
first purchase day (Fader, Hardie and Lee 2005):

- BG/NBD (Fader, Hardie and Lee 2005, "Counting your customers the easy way"): purchases at a
  gamma(r, alpha) distributed rate, dropout after each purchase with a beta(a, b) probability.
- MBG/NBD (Batislam, Denizel and Filiztekin 2007): the same, but a customer may also drop out
  at the first purchase, so that P(alive) falls with inactivity for a customer without a repeat
  purchase too.
- Gamma-Gamma (Fader and Hardie 2013, "The Gamma-Gamma model of monetary value"): the mean
  spend of a customer's repeat purchases, independent of their count.
- The naive baseline: each customer goes on buying at their own past rate, x / T.

Each fit is a scipy minimisation of the negative log-likelihood over the logarithms of the
parameters (all positive), from a fixed start: deterministic. Functions take and return numpy
arrays or pandas frames; the dbt model int_clv_fits calls them per store.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

from models_py.errors import SegmentationError

# Repeat-purchase candidates (the naive baseline included) and the spend model
PURCHASE_MODELS = ("naive", "bg_nbd", "mbg_nbd", "gradient_boosting")
SPEND_MODEL = "gamma_gamma"
PARAMETER_NAMES = {
    "bg_nbd": ("r", "alpha", "a", "b"),
    "mbg_nbd": ("r", "alpha", "a", "b"),
    "naive": (),
    "gradient_boosting": (),
    "gamma_gamma": ("p", "q", "gamma"),
}
# Minimisation: L-BFGS-B on log-parameters, bounded so that a collapsing parameter stops at a
# finite value (e^-12 ~ 6e-6) instead of running off, and a small ridge on the log-parameters
# that changes the optimum by far less than the 1 % the papers' values are checked to
_LOG_BOUNDS = (-12.0, 12.0)
_PENALTY = 1e-8


@dataclass(frozen=True)
class Fit:
    model: str
    params: dict[str, float]
    log_likelihood: float
    n_customers: int
    converged: bool
    # gradient_boosting: the regressor of purchase days in `window` days, from FEATURES
    regressor: HistGradientBoostingRegressor | None = None
    window: float | None = None


def customer_summary(days: pd.DataFrame, calibration_end: pd.Timestamp) -> pd.DataFrame:
    """Per customer, x, t_x and T (days), the spend of the first purchase day and the mean
    spend of the repeat purchase days, from one row per customer and purchase day (columns
    customer_id, order_date, spend) up to and including calibration_end; T runs from the first
    purchase day to calibration_end. Customers whose first purchase is after it are left out."""
    frame = days.loc[pd.to_datetime(days["order_date"]) <= calibration_end].copy()
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    frame = frame.sort_values(["customer_id", "order_date"], kind="mergesort")
    grouped = frame.groupby("customer_id", sort=True)
    first = grouped["order_date"].min()
    last = grouped["order_date"].max()
    n_days = grouped["order_date"].nunique()
    is_first = frame["order_date"].eq(grouped["order_date"].transform("min"))
    repeat_spend = frame.loc[~is_first].groupby("customer_id")["spend"].mean()
    summary = pd.DataFrame(
        {
            "x": (n_days - 1).astype("int64"),
            "t_x": (last - first).dt.days.astype(float),
            "T": (pd.Timestamp(calibration_end) - first).dt.days.astype(float),
            "first_purchase_date": first,
            "mean_repeat_spend": repeat_spend.reindex(first.index),
            "first_spend": frame.loc[is_first].groupby("customer_id")["spend"].sum(),
        }
    )
    summary.index.name = "customer_id"
    return summary.reset_index()


def _arrays(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = summary["x"].to_numpy(float)
    t_x = summary["t_x"].to_numpy(float)
    big_t = summary["T"].to_numpy(float)
    if (x < 0).any() or (t_x < 0).any() or (t_x > big_t).any() or ((x == 0) & (t_x != 0)).any():
        raise SegmentationError("customer summary: need x >= 0, 0 <= t_x <= T, t_x = 0 when x = 0")
    return x, t_x, big_t


def _nbd_log_likelihood(params, x, t_x, big_t, first_purchase_dropout: bool) -> np.ndarray:
    """BG/NBD, or MBG/NBD when a customer may also drop out at the first purchase: the
    customers' purchases at a gamma(r, alpha) rate times the chance of still being a customer
    at T (the beta(a, b) dropout passed x times, or x + 1), or of having dropped out at t_x."""
    r, alpha, a, b = params
    shift = 1 if first_purchase_dropout else 0
    common = (
        special.gammaln(r + x)
        - special.gammaln(r)
        + r * np.log(alpha)
        + special.gammaln(a + b)
        + special.gammaln(b + x + shift)
        - special.gammaln(b)
        - special.gammaln(a + b + x + shift)
    )
    stays = -(r + x) * np.log(alpha + big_t)
    # BG/NBD: only a customer with a repeat purchase can have dropped out (after the last one)
    can_drop = x + shift > 0
    with np.errstate(divide="ignore"):
        drops = np.where(
            can_drop,
            np.log(a)
            - np.log(np.maximum(b + x - 1 + shift, 1e-300))
            - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return common + np.logaddexp(stays, drops)


def _gamma_gamma_log_likelihood(params, x, mean_spend) -> np.ndarray:
    p, q, gamma = params
    return (
        special.gammaln(p * x + q)
        - special.gammaln(p * x)
        - special.gammaln(q)
        + q * np.log(gamma)
        + (p * x - 1) * np.log(mean_spend)
        + p * x * np.log(x)
        - (p * x + q) * np.log(gamma + mean_spend * x)
    )


_FIRST_PURCHASE_DROPOUT = {"bg_nbd": False, "mbg_nbd": True}


def _maximise(log_likelihood, n_params: int, start: np.ndarray) -> tuple[np.ndarray, float, bool]:
    def objective(log_params: np.ndarray) -> float:
        value = -float(np.sum(log_likelihood(np.exp(log_params))))
        if not np.isfinite(value):
            return 1e300
        return value + _PENALTY * float(log_params @ log_params)

    result = optimize.minimize(objective, start, method="L-BFGS-B", bounds=[_LOG_BOUNDS] * n_params)
    # polish from the optimum with Nelder-Mead, which does not stop on a flat gradient estimate
    polished = optimize.minimize(
        objective,
        result.x,
        method="Nelder-Mead",
        # a bounded polish: on data where the dropout collapses the surface is flat along it
        options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 2_000, "maxfev": 2_000},
    )
    best = polished if polished.fun <= result.fun else result
    params = np.exp(np.clip(best.x, *_LOG_BOUNDS))
    return params, float(np.sum(log_likelihood(params))), bool(result.success or polished.success)


def fit_purchases(summary: pd.DataFrame, model: str) -> Fit:
    """The repeat-purchase model `model` (bg_nbd, mbg_nbd) fitted to the customers' x, t_x, T."""
    if model not in _FIRST_PURCHASE_DROPOUT:
        raise SegmentationError(f"unknown repeat-purchase model {model!r}")
    x, t_x, big_t = _arrays(summary)
    if len(x) < 2 or not (x > 0).any():
        raise SegmentationError("a repeat-purchase model needs customers with repeat purchases")
    scale = max(float(np.mean(big_t)), 1.0)
    start = np.log([1.0, scale, 1.0, 1.0])
    # the likelihood depends on (x, t_x, T) only: each distinct history once, weighted by its
    # customers, so that a fit's cost grows with the histories, not the customers
    histories, customers = np.unique(np.column_stack([x, t_x, big_t]), axis=0, return_counts=True)

    def log_likelihood(params):
        return customers * _nbd_log_likelihood(params, *histories.T, _FIRST_PURCHASE_DROPOUT[model])

    params, value, converged = _maximise(log_likelihood, 4, start)
    return Fit(
        model,
        dict(zip(PARAMETER_NAMES[model], map(float, params), strict=True)),
        value,
        len(x),
        converged,
    )


def fit_spend(summary: pd.DataFrame) -> Fit:
    """Gamma-Gamma fitted to the repeat customers' mean repeat spend (x >= 1, spend > 0)."""
    repeat = summary.loc[(summary["x"] > 0) & (summary["mean_repeat_spend"] > 0)]
    if len(repeat) < 2:
        raise SegmentationError("the spend model needs at least two repeat customers")
    x = repeat["x"].to_numpy(float)
    mean_spend = repeat["mean_repeat_spend"].to_numpy(float)
    start = np.log([1.0, 1.0, float(np.mean(mean_spend))])
    params, value, converged = _maximise(
        lambda params: _gamma_gamma_log_likelihood(params, x, mean_spend), 3, start
    )
    return Fit(
        SPEND_MODEL,
        dict(zip(PARAMETER_NAMES[SPEND_MODEL], map(float, params), strict=True)),
        value,
        len(x),
        converged,
    )


def p_alive(fit: Fit, summary: pd.DataFrame) -> np.ndarray:
    """The probability that each customer is still a customer at T (1 for the naive baseline)."""
    x, t_x, big_t = _arrays(summary)
    if fit.model in ("naive", "gradient_boosting"):  # no dropout in these models
        return np.ones_like(x)
    r, alpha, a, b = (fit.params[name] for name in PARAMETER_NAMES[fit.model])
    # 1 / (1 + odds of having dropped out), from the log-odds: no overflow for heavy buyers
    log_ratio = (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
    if fit.model == "bg_nbd":
        log_odds = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + log_ratio
        return np.where(x > 0, special.expit(-log_odds), 1.0)
    return special.expit(-(np.log(a) - np.log(b + x) + log_ratio))


def expected_purchases(fit: Fit, summary: pd.DataFrame, horizon: float) -> np.ndarray:
    """Each customer's expected number of purchase days in the `horizon` days after T."""
    x, _t_x, big_t = _arrays(summary)
    if fit.model == "gradient_boosting":
        # predicted for its window; another horizon at the same daily rate
        with threadpool_limits(limits=1):
            in_window = np.clip(fit.regressor.predict(features(summary)), 0, None)
        return in_window * horizon / fit.window
    if fit.model == "naive":
        # the own past rate: repeat purchase days per day observed (none when T is 0)
        return np.where(big_t > 0, x / np.where(big_t > 0, big_t, 1.0), 0.0) * horizon
    r, alpha, a, b = (fit.params[name] for name in PARAMETER_NAMES[fit.model])
    z = horizon / (alpha + big_t + horizon)
    shrink = np.exp((r + x) * (np.log(alpha + big_t) - np.log(alpha + big_t + horizon)))
    with np.errstate(over="ignore", invalid="ignore"):
        if fit.model == "bg_nbd":
            hyper = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
            numerator = (a + b + x - 1) / (a - 1) * (1 - shrink * hyper)
        else:
            hyper = special.hyp2f1(r + x, b + x + 1, a + b + x, z)
            numerator = (a + b + x) / (a - 1) * (1 - shrink * hyper)
    alive = p_alive(fit, summary)
    # a customer surely gone buys nothing, whatever the (then unstable) alive-part gives
    return np.where(alive > 0, numerator * alive, 0.0)


def expected_spend(fit: Fit, summary: pd.DataFrame) -> np.ndarray:
    """Each customer's expected spend per purchase day: the Gamma-Gamma posterior mean given
    their repeat purchases (the population mean for a customer with none)."""
    p, q, gamma = (fit.params[name] for name in PARAMETER_NAMES[SPEND_MODEL])
    x = summary["x"].to_numpy(float)
    mean_spend = summary["mean_repeat_spend"].fillna(0).to_numpy(float)
    population = p * gamma / (q - 1) if q > 1 else np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        posterior = p * (gamma + x * mean_spend) / (p * x + q - 1)
    return np.where((x > 0) & (mean_spend > 0), posterior, population)


def p_no_purchase(fit: Fit, summary: pd.DataFrame, horizon: float) -> np.ndarray:
    """Each customer's probability of no purchase day in the `horizon` days after T: the churn
    risk. Gone, or alive with no purchase at their posterior rate (gamma(r + x, alpha + T));
    a customer can drop out only at a purchase, so an alive one stays alive without one. The
    naive baseline: a Poisson count at the own past rate."""
    x, _t_x, big_t = _arrays(summary)
    if fit.model in ("naive", "gradient_boosting"):
        return np.exp(-expected_purchases(fit, summary, horizon))
    r, alpha = fit.params["r"], fit.params["alpha"]
    none_while_alive = np.exp((r + x) * (np.log(alpha + big_t) - np.log(alpha + big_t + horizon)))
    alive = p_alive(fit, summary)
    return 1 - alive + alive * none_while_alive


# The discriminative candidate's features: the same summary the likelihood models see
FEATURES = ("x", "t_x", "T", "days_since_last", "log_mean_repeat_spend", "log_first_spend")


def features(summary: pd.DataFrame) -> np.ndarray:
    return np.column_stack(
        [
            summary["x"].to_numpy(float),
            summary["t_x"].to_numpy(float),
            summary["T"].to_numpy(float),
            (summary["T"] - summary["t_x"]).to_numpy(float),
            np.log1p(summary["mean_repeat_spend"].fillna(0).clip(lower=0).to_numpy(float)),
            np.log1p(summary["first_spend"].fillna(0).clip(lower=0).to_numpy(float)),
        ]
    )


def purchase_days_between(days: pd.DataFrame, start, end) -> pd.Series:
    """Per customer, the purchase days after `start` up to and including `end`."""
    dates = pd.to_datetime(days["order_date"])
    window = days.loc[(dates > pd.Timestamp(start)) & (dates <= pd.Timestamp(end))]
    return window.groupby("customer_id")["order_date"].nunique()


def fit_gradient_boosting(days: pd.DataFrame, end: pd.Timestamp, window: float) -> Fit:
    """Gradient boosting (Poisson loss) of the purchase days in a window of `window` days from
    the summary at its start: trained on the window that ends at `end`, so that it predicts the
    next window from the summary at `end`."""
    start = pd.Timestamp(end) - pd.Timedelta(days=window)
    summary = customer_summary(days, start)
    if len(summary) < 20:
        raise SegmentationError("gradient boosting needs at least 20 customers before its window")
    target = summary["customer_id"].map(purchase_days_between(days, start, end)).fillna(0)
    if target.sum() == 0:
        raise SegmentationError("gradient boosting: no purchase in its training window")
    regressor = HistGradientBoostingRegressor(
        loss="poisson", max_iter=200, learning_rate=0.05, random_state=0
    )
    with threadpool_limits(limits=1):
        regressor.fit(features(summary), target.to_numpy(float))
    return Fit("gradient_boosting", {}, float("nan"), len(summary), True, regressor, window)


def fit_candidate(model: str, summary: pd.DataFrame, days: pd.DataFrame, end, window) -> Fit:
    """One repeat-purchase candidate fitted on the customers' summary at `end`."""
    if model == "naive":
        return Fit("naive", {}, float("nan"), len(summary), True)
    if model == "gradient_boosting":
        return fit_gradient_boosting(days, end, window)
    return fit_purchases(summary, model)


# The frequency buckets of the calibration-vs-holdout table: x = 0 .. 6, then 7 and more
FREQUENCY_BUCKETS = 7


def holdout_evaluation(
    days: pd.DataFrame, calibration_end: pd.Timestamp, holdout_days: int
) -> tuple[pd.DataFrame, pd.DataFrame, list[Fit]]:
    """Every candidate fitted on the days up to calibration_end and scored on the next
    holdout_days: per candidate the totals, per-customer MAE, rank correlation and the churn
    score's AUC (for no purchase in the holdout) against recency alone's; the
    calibration-vs-holdout table per frequency bucket; and the calibration fits (the spend
    model's included)."""
    holdout_end = pd.Timestamp(calibration_end) + pd.Timedelta(days=holdout_days)
    summary = customer_summary(days, calibration_end)
    if len(summary) < 20 or not (summary["x"] > 0).any():
        raise SegmentationError(
            f"{len(summary)} customers before {pd.Timestamp(calibration_end).date()}: too few"
            " to evaluate lifetime value models on a holdout"
        )
    held = days.loc[
        pd.to_datetime(days["order_date"]).between(
            pd.Timestamp(calibration_end), holdout_end, inclusive="right"
        )
    ]
    actual = summary["customer_id"].map(held.groupby("customer_id")["order_date"].nunique())
    actual = actual.fillna(0).to_numpy(float)
    actual_spend = summary["customer_id"].map(held.groupby("customer_id")["spend"].sum())
    actual_spend = actual_spend.fillna(0).to_numpy(float)
    spend_fit = fit_spend(summary)
    spend = expected_spend(spend_fit, summary)
    churned = actual == 0
    recency = (summary["T"] - summary["t_x"]).to_numpy(float)
    recency_auc = _auc(churned, recency)
    bucket = np.minimum(summary["x"].to_numpy(int), FREQUENCY_BUCKETS)
    fits, rows, buckets = [spend_fit], [], []
    for model in PURCHASE_MODELS:
        try:
            fit = fit_candidate(model, summary, days, calibration_end, holdout_days)
        except SegmentationError as exc:
            rows.append({"model": model, "error": str(exc)})
            continue
        fits.append(fit)
        predicted = expected_purchases(fit, summary, holdout_days)
        predicted_spend = predicted * spend
        rows.append(
            {
                "model": model,
                "n_customers": len(summary),
                "actual_purchases": float(actual.sum()),
                "predicted_purchases": float(predicted.sum()),
                "purchases_mae": float(np.mean(np.abs(predicted - actual))),
                "purchases_rank_correlation": _rank_correlation(predicted, actual),
                "actual_spend": float(actual_spend.sum()),
                "predicted_spend": float(np.nansum(predicted_spend)),
                "spend_mae": float(np.nanmean(np.abs(predicted_spend - actual_spend))),
                "churn_auc": _auc(churned, p_no_purchase(fit, summary, holdout_days)),
                "recency_churn_auc": recency_auc,
            }
        )
        frame = pd.DataFrame(
            {
                "bucket": bucket,
                "actual": actual,
                "predicted": predicted,
                "actual_spend": actual_spend,
                "predicted_spend": predicted_spend,
            }
        )
        grouped = frame.groupby("bucket", sort=True)
        buckets.append(
            pd.DataFrame(
                {
                    "model": model,
                    "frequency_bucket": grouped.size().index.to_numpy(int),
                    "n_customers": grouped.size().to_numpy(int),
                    "actual_purchases": grouped["actual"].mean().to_numpy(float),
                    "predicted_purchases": grouped["predicted"].mean().to_numpy(float),
                    "actual_spend": grouped["actual_spend"].mean().to_numpy(float),
                    "predicted_spend": grouped["predicted_spend"].mean().to_numpy(float),
                }
            )
        )
    return pd.DataFrame(rows), pd.concat(buckets, ignore_index=True), fits


def _rank_correlation(predicted: np.ndarray, actual: np.ndarray) -> float:
    """Spearman's rank correlation; undefined (NaN) when either side is constant."""
    if np.ptp(predicted) == 0 or np.ptp(actual) == 0:
        return float("nan")
    return float(stats.spearmanr(predicted, actual).statistic)


def _auc(positive: np.ndarray, score: np.ndarray) -> float:
    if positive.all() or not positive.any() or not np.isfinite(score).all():
        return float("nan")
    return float(roc_auc_score(positive, score))


def served_model(evaluation: pd.DataFrame) -> tuple[str, str]:
    """The candidate served and why: the lowest per-customer purchase MAE on the holdout; a
    tie goes to the earlier of PURCHASE_MODELS (the naive baseline first)."""
    scored = evaluation.dropna(subset=["purchases_mae"])
    scored = scored.assign(order=scored["model"].map(PURCHASE_MODELS.index))
    best = scored.sort_values(["purchases_mae", "order"], kind="mergesort").iloc[0]
    naive = scored.loc[scored["model"] == "naive", "purchases_mae"]
    if best["model"] == "naive":
        reason = (
            f"naive baseline served: no model beat its per-customer purchase MAE"
            f" ({best['purchases_mae']:.3f}) on the holdout"
        )
    else:
        reason = (
            f"{best['model']} served: lowest per-customer purchase MAE on the holdout"
            f" ({best['purchases_mae']:.3f}"
            + (f" against the naive baseline's {naive.iloc[0]:.3f})" if len(naive) else ")")
        )
    return str(best["model"]), reason


def discounted_purchases(
    fit: Fit, summary: pd.DataFrame, horizon_days: int, annual_discount_rate: float
) -> np.ndarray:
    """Expected purchase days over the horizon, each 30-day step discounted to today."""
    total = np.zeros(len(summary))
    previous = np.zeros(len(summary))
    for step_end in range(30, horizon_days + 30, 30):
        end = min(step_end, horizon_days)
        cumulative = expected_purchases(fit, summary, end)
        total += (cumulative - previous) / (1 + annual_discount_rate) ** (end / 365)
        previous = cumulative
        if end == horizon_days:
            break
    return total


def store_lifetime_values(
    days: pd.DataFrame,
    observation_end: pd.Timestamp,
    holdout_days: int,
    churn_days: int,
    horizon_days: int,
    annual_discount_rate: float,
) -> dict[str, pd.DataFrame]:
    """One store's lifetime value: the candidates evaluated on the last holdout_days days, the
    winner refitted on every day up to observation_end (inclusive) and each customer scored.
    Returns frames `evaluation` (with is_served and served_reason), `buckets`, `fits` (the
    calibration fits and the served ones, one row per window and model) and `customers`."""
    calibration_end = pd.Timestamp(observation_end) - pd.Timedelta(days=holdout_days)
    evaluation, buckets, calibration_fits = holdout_evaluation(days, calibration_end, holdout_days)
    served, reason = served_model(evaluation)
    evaluation = evaluation.assign(
        is_served=evaluation["model"].eq(served),
        served_reason=reason,
        calibration_end=calibration_end,
        holdout_days=holdout_days,
    )
    summary = customer_summary(days, observation_end)
    purchase_fit = fit_candidate(served, summary, days, observation_end, holdout_days)
    spend_fit = fit_spend(summary)
    customers = scored_customers(
        summary, purchase_fit, spend_fit, churn_days, horizon_days, annual_discount_rate
    )
    fits = pd.DataFrame(
        [
            _fit_row(
                fit, "calibration", calibration_end, is_served=fit.model in (served, SPEND_MODEL)
            )
            for fit in calibration_fits
        ]
        + [
            _fit_row(fit, "full", pd.Timestamp(observation_end), is_served=True)
            for fit in (purchase_fit, spend_fit)
        ]
    )
    fits = fits.assign(
        churn_days=churn_days, horizon_days=horizon_days, annual_discount_rate=annual_discount_rate
    )
    return {"evaluation": evaluation, "buckets": buckets, "fits": fits, "customers": customers}


def scored_customers(
    summary: pd.DataFrame,
    purchase_fit: Fit,
    spend_fit: Fit,
    churn_days: int,
    horizon_days: int,
    annual_discount_rate: float,
) -> pd.DataFrame:
    """Every customer of `summary` (customer_summary) with x, t_x, T and their scores."""
    scores = score_customers(
        purchase_fit, spend_fit, summary, churn_days, horizon_days, annual_discount_rate
    )
    return pd.concat([summary[["customer_id", "first_purchase_date"]], scores], axis=1).assign(
        repeat_purchase_days=summary["x"],
        first_to_last_purchase_days=summary["t_x"],
        first_purchase_to_end_days=summary["T"],
        purchase_model=purchase_fit.model,
    )


def fit_from_row(row: pd.Series) -> Fit:
    """A fit as marts.clv_model stores it (its parameters, log-likelihood and customers)."""
    names = PARAMETER_NAMES[row["model"]]
    log_likelihood = row["log_likelihood"]
    return Fit(
        row["model"],
        {name: float(row[name]) for name in names},
        float(log_likelihood) if pd.notna(log_likelihood) else float("nan"),
        int(row["n_customers"]),
        bool(row["converged"]),
    )


def stored_served_fits(
    rows: pd.DataFrame, churn_days: int, horizon_days: int, annual_discount_rate: float
) -> tuple[Fit, Fit, str] | None:
    """A store's served fits of every day (marts.clv_model rows, fit_window full) and the build
    that fitted them, when they can score again: both there, scored with these settings, and not
    gradient boosting (whose regressor is not stored); else None."""
    served = served_fit_rows(rows)
    if served is None or served[0]["model"] == "gradient_boosting":
        return None
    first, spend = served
    same = (
        first["churn_days"] == churn_days
        and first["horizon_days"] == horizon_days
        and np.isclose(first["annual_discount_rate"], annual_discount_rate)
    )
    if not same:
        return None
    return fit_from_row(first), fit_from_row(spend), str(first["model_run_id"])


def served_fit_rows(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series] | None:
    """A store's served repeat-purchase and spend fits of every day (marts.clv_model rows,
    fit_window full, is_served), or None when the rows do not hold exactly one of each."""
    served = rows.loc[(rows["fit_window"] == "full") & rows["is_served"].fillna(False).astype(bool)]
    spend = served.loc[served["model"] == SPEND_MODEL]
    purchase = served.loc[served["model"] != SPEND_MODEL]
    if len(spend) != 1 or len(purchase) != 1:
        return None
    return purchase.iloc[0], spend.iloc[0]


def score_customers(
    purchase_fit: Fit,
    spend_fit: Fit,
    summary: pd.DataFrame,
    churn_days: int,
    horizon_days: int,
    annual_discount_rate: float,
) -> pd.DataFrame:
    """Each customer's scores from fitted models (the build's and the API's one scoring)."""
    spend = expected_spend(spend_fit, summary)
    return pd.DataFrame(
        {
            "p_alive": p_alive(purchase_fit, summary),
            "churn_risk": p_no_purchase(purchase_fit, summary, churn_days),
            "expected_purchases_30d": expected_purchases(purchase_fit, summary, 30),
            "expected_purchases_90d": expected_purchases(purchase_fit, summary, 90),
            "expected_purchases_365d": expected_purchases(purchase_fit, summary, 365),
            "expected_spend_per_purchase": spend,
            "predicted_clv": discounted_purchases(
                purchase_fit, summary, horizon_days, annual_discount_rate
            )
            * spend,
        },
        index=summary.index,
    )


def _fit_row(fit: Fit, window: str, end: pd.Timestamp, is_served: bool) -> dict:
    return {
        "fit_window": window,
        "fit_end": end,
        "model": fit.model,
        **{name: fit.params.get(name) for name in ("r", "alpha", "a", "b", "p", "q", "gamma")},
        "log_likelihood": fit.log_likelihood,
        "n_customers": fit.n_customers,
        "converged": fit.converged,
        "is_served": is_served,
    }
