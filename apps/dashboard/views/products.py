"""Products and interests of a store: its product categories, the interest segments (customers who
buy the same kinds of product), how they cross the RFM segments, and how well a new customer's main
category is predicted from their first order; from the product marts."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from apps.dashboard import data, ui
from apps.warehouse import Snapshot

# the category bar chart shows the categories with the largest revenue share, the rest summed: a
# store's own catalogue can have dozens
CATEGORY_BARS = 30
# the interest heat map shows the categories with the largest overall mean share, the rest summed
# (each row then still adds up to the segment's whole spend)
INTEREST_TOP_CATEGORIES = 15
OTHER = "other"
ORIGIN_COLOURS = {
    data.CATEGORY_CLUSTERED: "#4c78a8",
    data.CATEGORY_OWN: "#4c78a8",
    data.CATEGORY_OVERRIDE: "#f58518",
    data.CATEGORY_UNCATEGORISED: "#bab0ac",
    OTHER: "#9d9d9d",
}
METRICS = {"accuracy": "accuracy", "balanced_accuracy": "balanced accuracy", "macro_f1": "macro-F1"}
METHOD_NAMES = {
    "model": "model",
    "basket_ranker": "basket ranker",
    "majority_category": "majority category (baseline)",
    "first_basket": "first basket (baseline)",
}
# the served method in a sentence (marts.interest_model.method)
SERVED_NAMES = {
    "model": "the logistic regression on every first-order feature",
    "basket_ranker": "the basket ranker (a model that ranks the first basket's categories)",
    "majority_category": "the majority-category baseline",
    "first_basket": "the first-basket baseline (the first basket's largest category)",
}
BASELINE_NAMES = {
    "majority_category": "the majority-category baseline",
    "first_basket": "the first-basket baseline",
}


def _others(n: int) -> str:
    return f"{OTHER} ({n} {'category' if n == 1 else 'categories'})"


def _segment_name(segment_id, label) -> str:
    return f"#{int(segment_id)} {label}"


# --- product categories ---------------------------------------------------------------------


def category_bars(categories: pd.DataFrame, top: int = CATEGORY_BARS) -> pd.DataFrame:
    """The bars: the `top` categories by revenue share (largest first), then one bar summing the
    others when two or more are left; a name shared by two categories gets its id."""
    ranked = categories.sort_values(["share_of_revenue", "category_id"], ascending=[False, True])
    names = ranked["category_name"].fillna("(unnamed)")
    shared = names.duplicated(keep=False)
    names = names.where(~shared, names + " (#" + ranked["category_id"].astype(str) + ")")
    bars = pd.DataFrame(
        {
            "name": names,
            "origin": ranked["origin"],
            "n_products": ranked["n_products"],
            "share_of_revenue": ranked["share_of_revenue"],
        }
    )
    if len(bars) <= top + 1:  # one category left over is shown as itself
        return bars.reset_index(drop=True)
    rest = bars.iloc[top:]
    other = pd.DataFrame(
        {
            "name": [_others(len(rest))],
            "origin": [OTHER],
            "n_products": [rest["n_products"].sum()],
            "share_of_revenue": [rest["share_of_revenue"].sum()],
        }
    )
    return pd.concat([bars.iloc[:top], other], ignore_index=True)


def _category_figure(bars: pd.DataFrame) -> go.Figure:
    """Horizontal bars, largest share on top, coloured by how the category was made."""
    fig = go.Figure()
    for origin, rows in bars.groupby("origin", sort=False):
        fig.add_trace(
            go.Bar(
                x=rows["share_of_revenue"],
                y=rows["name"],
                orientation="h",
                name=origin,
                marker_color=ORIGIN_COLOURS.get(origin),
                customdata=rows["n_products"],
                hovertemplate=(
                    "%{y}: %{x:.1%} of product revenue (%{customdata:,} products)<extra></extra>"
                ),
            )
        )
    fig.update_layout(
        title="Share of the store's product revenue by category",
        xaxis={"title": "share of product revenue", "tickformat": ".0%"},
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": list(bars["name"]),
            "autorange": "reversed",
        },
        legend_title_text="category",
        height=160 + 24 * len(bars),
    )
    return fig


def _category_reading(categories: pd.DataFrame, bars: pd.DataFrame) -> str:
    shares = categories["share_of_revenue"].sort_values(ascending=False)
    top = min(3, len(shares))
    shown = (
        f"the {len(bars) - 1} largest, {bars['name'].iloc[-1]} summed"
        if bars["origin"].iloc[-1] == OTHER
        else "every category"
    )
    return (
        f"Each bar is a category's share of the store's product revenue (purchases less "
        f"cancellations; {shown}). The {top} largest make {shares.iloc[:top].sum():.0%} of it."
    )


def _k_reading(k_frame: pd.DataFrame) -> str:
    chosen = k_frame[k_frame["is_chosen"].fillna(False).astype(bool)]
    if chosen.empty:
        return "The k tried; none is marked as chosen."
    row = chosen.iloc[0]
    return f"The star marks the k in use ({int(row['k'])}): {row['choice_reason']}."


# --- interest segments ----------------------------------------------------------------------


def _sizes_figure(sizes: pd.DataFrame) -> go.Figure:
    names = [
        _segment_name(i, label)
        for i, label in zip(
            sizes["interest_segment_id"], sizes["interest_segment_label"], strict=True
        )
    ]
    fig = go.Figure(
        go.Bar(
            x=sizes["customers"],
            y=names,
            orientation="h",
            text=[f"{share:.0%}" for share in sizes["share_of_customers"]],
            textposition="auto",
            hovertemplate="%{y}: %{x:,} customers<extra></extra>",
        )
    )
    fig.update_layout(
        title="Customers per interest segment",
        xaxis_title="customers",
        yaxis={"type": "category", "autorange": "reversed"},
        height=160 + 36 * len(sizes),
    )
    return fig


def interest_cells(profiles: pd.DataFrame, top: int = INTEREST_TOP_CATEGORIES) -> pd.DataFrame:
    """The heat map's cells: segment x the `top` categories by overall mean share (then by id),
    and one column summing the others' mean shares when two or more are left, with its lift."""
    categories = (
        profiles.groupby(["category_id", "category_name"], dropna=False, as_index=False)[
            "overall_mean_share"
        ]
        .first()
        .sort_values(["overall_mean_share", "category_id"], ascending=[False, True])
        .reset_index(drop=True)
    )
    categories["column"] = categories["category_name"].fillna("(unnamed)")
    shared = categories["column"].duplicated(keep=False)
    categories.loc[shared, "column"] += (
        " (#" + categories.loc[shared, "category_id"].astype(str) + ")"
    )
    categories["rank"] = categories.index + 1
    # one category left over is shown as itself
    categories["is_other"] = (categories["rank"] > top) & (len(categories) > top + 1)
    others = categories["is_other"]
    categories.loc[others, "column"] = _others(int(others.sum()))
    categories.loc[others, "rank"] = top + 1
    cells = profiles.merge(
        categories[["category_id", "column", "rank", "is_other"]], on="category_id"
    )
    cells = cells.groupby(
        [
            "interest_segment_id",
            "interest_segment_label",
            "customers",
            "rank",
            "column",
            "is_other",
        ],
        as_index=False,
    )[["mean_share", "overall_mean_share"]].sum()
    cells["lift"] = cells["mean_share"] / cells["overall_mean_share"].where(
        cells["overall_mean_share"] > 0
    )
    return cells.sort_values(["interest_segment_id", "rank"]).reset_index(drop=True)


def _interest_heatmap(cells: pd.DataFrame) -> go.Figure:
    """Segments (rows, by id) x categories (columns, largest overall share first, others last)."""
    rows = cells.drop_duplicates("interest_segment_id").sort_values("interest_segment_id")
    columns = cells.drop_duplicates("rank").sort_values("rank")
    share = cells.pivot(index="interest_segment_id", columns="rank", values="mean_share")
    share = share.reindex(index=rows["interest_segment_id"], columns=columns["rank"]).fillna(0.0)
    lift = cells.pivot(index="interest_segment_id", columns="rank", values="lift")
    lift = lift.reindex(index=share.index, columns=share.columns)
    fig = go.Figure(
        go.Heatmap(
            z=share.to_numpy(),
            x=list(columns["column"]),
            y=[
                _segment_name(i, label)
                for i, label in zip(
                    rows["interest_segment_id"], rows["interest_segment_label"], strict=True
                )
            ],
            text=[[f"{s:.0%}" for s in row] for row in share.to_numpy()],
            texttemplate="%{text}",
            customdata=lift.to_numpy(),
            colorscale="Blues",
            zmin=0,
            colorbar={"title": "mean share", "tickformat": ".0%"},
            hovertemplate=(
                "%{y}<br>%{x}: %{z:.1%} of spend on average (%{customdata:.2f}× all customers)"
                "<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        title="Mean share of each interest segment's spend by category",
        xaxis={"title": "category", "type": "category", "tickangle": -35},
        yaxis={"title": "interest segment", "type": "category", "autorange": "reversed"},
        height=320 + 40 * len(rows),
    )
    return fig


def _interest_reading(cells: pd.DataFrame, n_categories: int) -> str:
    shown = cells[~cells["is_other"]]
    columns = (
        f"the {INTEREST_TOP_CATEGORIES} categories with the largest share over all customers, "
        f"{cells.loc[cells['is_other'], 'column'].iloc[0]} summed"
        if cells["is_other"].any()
        else f"all {n_categories} categories"
    )
    reading = (
        f"Each row is a segment's customers' mean share of spend per category ({columns}); "
        "a row adds up to 100%."
    )
    lifted = shown.dropna(subset=["lift"])
    if lifted.empty or lifted["lift"].max() <= 1.0 + 1e-9:
        return reading
    top = lifted.loc[lifted["lift"].idxmax()]
    return (
        f"{reading} Most distinctive: "
        f"{_segment_name(top['interest_segment_id'], top['interest_segment_label'])} spends {top['mean_share']:.1%} on {top['column']} against {top['overall_mean_share']:.1%} "
        f"for all customers ({top['lift']:.1f}×)."
    )


# --- interests x RFM segments ---------------------------------------------------------------


def _cross_heatmap(cross: pd.DataFrame) -> go.Figure:
    """Interest segments (rows) x RFM segments (columns, by id): customers in both."""
    rows = cross.drop_duplicates("interest_segment_id").sort_values("interest_segment_id")
    columns = cross.drop_duplicates("segment_id").sort_values("segment_id")
    customers = cross.pivot(index="interest_segment_id", columns="segment_id", values="customers")
    customers = customers.reindex(index=rows["interest_segment_id"], columns=columns["segment_id"])
    customers = customers.fillna(0).astype(int)
    revenue = cross.pivot(index="interest_segment_id", columns="segment_id", values="revenue")
    revenue = revenue.reindex(index=customers.index, columns=customers.columns).fillna(0.0)
    fig = go.Figure(
        go.Heatmap(
            z=customers.to_numpy(),
            x=[
                f"{int(i)} · {label}"
                for i, label in zip(columns["segment_id"], columns["segment_label"], strict=True)
            ],
            y=[
                _segment_name(i, label)
                for i, label in zip(
                    rows["interest_segment_id"], rows["interest_segment_label"], strict=True
                )
            ],
            text=[[f"{n:,}" for n in row] for row in customers.to_numpy()],
            texttemplate="%{text}",
            customdata=revenue.to_numpy(),
            colorscale="Blues",
            zmin=0,
            colorbar={"title": "customers"},
            hovertemplate=(
                "%{y}<br>%{x}: %{z:,} customers, revenue %{customdata:,.0f}<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        title="Customers by interest segment and RFM segment",
        xaxis={"title": "RFM segment", "type": "category"},
        yaxis={"title": "interest segment", "type": "category", "autorange": "reversed"},
        height=280 + 40 * len(rows),
    )
    return fig


def _cross_reading(cross: pd.DataFrame, interest_customers: int) -> str:
    both = int(cross["customers"].sum())
    top = cross.loc[cross["customers"].idxmax()]
    return (
        f"Each cell counts the customers in both segments: {both:,} of the {interest_customers:,} "
        f"customers with an interest segment have an RFM segment. Largest: "
        f"{_segment_name(top['interest_segment_id'], top['interest_segment_label'])} × "
        f"{top['segment_label']} ({int(top['customers']):,} customers)."
    )


# --- the interest prediction --------------------------------------------------------------


def _evaluation_figure(evaluation: pd.DataFrame) -> go.Figure:
    """One group of bars per measure, one bar per method."""
    fig = go.Figure(
        [
            go.Bar(
                x=list(METRICS.values()),
                y=[row[metric] for metric in METRICS],
                name=METHOD_NAMES.get(row["method"], row["method"]),
                text=[f"{row[metric]:.2f}" for metric in METRICS],
                textposition="outside",
                hovertemplate="%{x}: %{y:.3f}<extra>%{fullData.name}</extra>",
            )
            for _, row in evaluation.iterrows()
        ]
    )
    fig.update_layout(
        title="Predicting a new customer's main category from their first order",
        barmode="group",
        yaxis={"title": "score on new customers (1 = every one right)", "range": [0, 1.1]},
        legend_title_text="method",
        height=380,
    )
    return fig


def _against(model: pd.Series, baseline: pd.Series) -> tuple[str, bool | None]:
    """How the model does against one baseline, and whether it beats it on every measure (True),
    on none (False) or on some (None)."""
    name = BASELINE_NAMES.get(baseline["method"], f"the {baseline['method']} baseline")
    wins = [label for metric, label in METRICS.items() if model[metric] > baseline[metric]]
    if len(wins) == len(METRICS):
        return f"beats {name} on all three measures", True
    if not wins:
        return f"does not beat {name} on any measure", False
    return f"beats {name} only on {' and '.join(wins)}", None


def _beats(model: pd.Series, baselines: list[pd.Series]) -> str:
    """How one fitted model does against every baseline, in words."""
    parts = [_against(model, baseline) for baseline in baselines]
    texts = [text for text, _ in parts]
    outcomes = {outcome for _, outcome in parts}
    joiner = " and " if len(outcomes) == 1 and None not in outcomes else " but "
    return ", ".join(texts[:-1]) + joiner + texts[-1] if len(texts) > 1 else texts[0]


def evaluation_reading(evaluation: pd.DataFrame) -> str:
    """One sentence: does each fitted model beat each baseline, from the numbers."""
    by_method = evaluation.set_index("method", drop=False)
    if "model" not in by_method.index:
        return "The evaluation has no row for the model."
    models = [by_method.loc[m] for m in data.EVALUATION_METHODS if m in by_method.index]
    fitted = [row for row in models if row["method"] not in BASELINE_NAMES]
    baselines = [row for row in models if row["method"] in BASELINE_NAMES]
    if not baselines:
        model = by_method.loc["model"]
        return f"The model's macro-F1 on new customers is {model['macro_f1']:.2f}; no baseline."
    said = "; ".join(
        f"the {METHOD_NAMES.get(row['method'], row['method'])} {_beats(row, baselines)}"
        for row in fitted
    )
    f1 = ", ".join(
        f"{METHOD_NAMES.get(row['method'], row['method']).removesuffix(' (baseline)')} "
        f"{row['macro_f1']:.2f}"
        for row in [*fitted, *baselines]
    )
    return f"On new customers {said} (macro-F1: {f1})."


def served_sentence(served: dict | None) -> str:
    """One sentence: which method the API predicts a new customer's interest with, and why."""
    if served is None:
        return (
            "The published warehouse stores no interest model for this store (marts.interest_model),"
            " so the API predicts no interest for it: rebuild with `make run`."
        )
    method = str(served["method"])
    why = str(served["reason"]).removeprefix("served: ")
    because = "because it is " if why.startswith("at least") else "because "
    return (
        f"The API predicts a new customer's main category with "
        f"{SERVED_NAMES.get(method, method)}, {because}{why}."
    )


# --- the page -------------------------------------------------------------------------------


def render(wh: Snapshot, store: str) -> None:
    st.header("Products and interests")
    missing = data.missing_product_marts(wh)
    if missing:
        tables = ", ".join(f"`marts.{name}`" for name in missing)
        verb = "is" if len(missing) == 1 else "are"
        st.info(f"{tables} {verb} not in the published warehouse yet: rebuild with `make run`.")
        return
    categories = data.product_categories(wh, store)
    if categories.empty:
        st.info(
            "The published warehouse has no product categories for this store: rebuild with "
            "`make run`."
        )
        return
    _categories_section(wh, store, categories)
    interest_customers = _interest_section(wh, store)
    _cross_section(wh, store, interest_customers)
    _evaluation_section(wh, store)


def _categories_section(wh: Snapshot, store: str, categories: pd.DataFrame) -> None:
    st.subheader("Product categories")
    bars = category_bars(categories)
    ui.chart(_category_figure(bars), _category_reading(categories, bars), "products_categories")
    ui.table(
        categories,
        "product categories",
        "One row per category: its strongest terms, products, revenue and share of the store's "
        "product revenue; origin says how it was made (clustered from the product descriptions, "
        "an override, the store's own, or uncategorised: no term shared with other products).",
    )
    k_frame = data.category_k_selection(wh, store)
    if k_frame.empty:
        st.info("This store's categories are its own, so no number of categories was chosen.")
        return
    ui.chart(
        ui.k_selection_figure(k_frame, "Choosing the number of categories", height=300),
        _k_reading(k_frame),
        "products_category_k",
    )


def _interest_section(wh: Snapshot, store: str) -> int:
    """The interest segments; returns the customers with one."""
    st.subheader("Interest segments")
    sizes = data.interest_segment_sizes(wh, store)
    if sizes.empty:
        st.info("The published warehouse has no interest segments for this store.")
        return 0
    total = int(sizes["customers"].sum())
    ui.chart(
        _sizes_figure(sizes),
        f"{total:,} customers with positive spend, grouped by what they buy (their share of spend per "
        "category); a label names the categories the segment buys more than the average customer.",
        "products_interest_sizes",
    )
    profiles = data.interest_segment_profiles(wh, store)
    if not profiles.empty:
        cells = interest_cells(profiles)
        ui.chart(
            _interest_heatmap(cells),
            _interest_reading(cells, profiles["category_id"].nunique()),
            "products_interest_map",
        )
    k_frame = data.interest_k_selection(wh, store)
    if not k_frame.empty:
        ui.chart(
            ui.k_selection_figure(k_frame, "Choosing the number of interest segments", height=300),
            _k_reading(k_frame),
            "products_interest_k",
        )
    ui.table(sizes, "interest segments")
    ui.table(
        profiles,
        "interest segment profiles",
        "Per segment and category: the mean share of spend, the mean over all customers and the "
        "lift (their ratio).",
    )
    return total


def _cross_section(wh: Snapshot, store: str, interest_customers: int) -> None:
    st.subheader("Interest segments and RFM segments")
    cross = data.interest_rfm_cross(wh, store)
    if cross.empty:
        st.info("No customer of this store has both an interest segment and an RFM segment.")
        return
    ui.chart(
        _cross_heatmap(cross),
        _cross_reading(cross, interest_customers),
        "products_interest_rfm",
    )
    ui.table(cross, "interest segments by RFM segment")


def _evaluation_section(wh: Snapshot, store: str) -> None:
    st.subheader("Predicting a new customer's interest")
    evaluation = data.interest_prediction_evaluation(wh, store)
    if evaluation.empty:
        st.info(
            "The published warehouse has no evaluation of the interest prediction for this store."
        )
        return
    first = evaluation.iloc[0]
    st.caption(
        f"Trained on {int(first['n_train']):,} customers whose first order is before "
        f"{str(first['cutoff'])[:10]}, scored on the {int(first['n_test']):,} new customers whose "
        "first order is on or after it. Baselines: the training set's majority category, and the "
        "main category of the first basket itself."
    )
    st.markdown(served_sentence(data.served_interest_method(wh, store)))
    ui.chart(_evaluation_figure(evaluation), evaluation_reading(evaluation), "products_evaluation")
    evaluation["cutoff"] = pd.to_datetime(evaluation["cutoff"]).dt.date
    ui.table(evaluation, "interest prediction evaluation")
