"""Students: LTV class by trait, the LTV tree's importances and rules, PCA variance, fill rates."""

from __future__ import annotations

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from apps.dashboard import data, ui
from apps.warehouse import Snapshot

DIMENSION_TITLES = {
    "country_bucket": "Country bucket",
    "diploma_bucket": "First diploma",
    "has_bogo": "Consumed a bogo",
    "dominant_payment_term": "Dominant payment term",
}
TOP_IMPORTANCES = 15


def _ltv_section(wh: Snapshot) -> None:
    if not wh.has_table("fct_students_cohort"):
        ui.missing("fct_students_cohort")
        return
    summary = data.student_cohort_summary(wh)
    if not summary["students"]:
        st.info("The cohort has no students.")
        return
    cols = st.columns(3)
    cols[0].metric("Cohort", str(int(summary["cohort_year"])))
    cols[1].metric("Students", f"{int(summary['students']):,}")
    cols[2].metric(
        "High LTV", f"{int(summary['high_ltv_students']) / int(summary['students']):.0%}"
    )
    st.caption(
        f"High LTV = lifetime value above the cohort mean ({float(summary['cohort_mean_ltv']):,.0f})."
    )
    cols = st.columns(2)
    for i, dimension in enumerate(data.STUDENT_DIMENSIONS):
        frame = data.ltv_by(wh, dimension)
        with cols[i % 2]:
            fig = px.bar(
                frame,
                x="value",
                y="students",
                color="ltv_class",
                barmode="stack",
                category_orders={"ltv_class": ["high", "low"]},
                color_discrete_map={"high": "#2a9d8f", "low": "#cfd8dc"},
                hover_data={"share_of_value": ":.0%"},
                title=f"LTV class by {DIMENSION_TITLES[dimension].lower()}",
                labels={"value": DIMENSION_TITLES[dimension], "ltv_class": "LTV class"},
            )
            fig.update_layout(height=360)
            ui.chart(
                fig,
                f"Students of the cohort per {DIMENSION_TITLES[dimension].lower()}; the green "
                "part is the high-LTV students.",
                key=f"students_ltv_{dimension}",
            )
            ui.table(frame, f"LTV class by {dimension}")


def _tree_section(wh: Snapshot) -> None:
    st.subheader("What separates high-LTV students: the decision tree")
    if wh.has_table("student_ltv_tree_importances"):
        importances = data.whole_table(wh, "student_ltv_tree_importances")
        if {"feature", "importance"} <= set(importances.columns):
            top = importances.sort_values("importance", ascending=False).head(TOP_IMPORTANCES)
            top = top[top["importance"] > 0]
            fig = px.bar(
                top,
                x="importance",
                y="feature",
                orientation="h",
                title="Feature importances (share of the tree's impurity decrease)",
            )
            fig.update_yaxes(autorange="reversed")
            fig.update_layout(height=max(300, 28 * len(top) + 120))
            ui.chart(
                fig,
                "Longer bars are the traits the tree leans on most to tell high from low LTV.",
                key="students_importances",
            )
        ui.table(importances, "LTV tree importances")
    else:
        ui.missing("student_ltv_tree_importances")
    if wh.has_table("student_ltv_tree_rules"):
        rules = data.whole_table(wh, "student_ltv_tree_rules", order_by="rule_id")
        if not rules.empty and {"test_accuracy", "test_balanced_accuracy"} <= set(rules.columns):
            st.caption(
                f"On held-out students the tree is right {float(rules['test_accuracy'].iloc[0]):.0%}"
                f" of the time (balanced accuracy {float(rules['test_balanced_accuracy'].iloc[0]):.0%})."
            )
        ui.table(
            rules,
            "LTV tree rules",
            "Each row is one leaf: the traits on its path and the LTV class it predicts.",
        )
    else:
        ui.missing("student_ltv_tree_rules")


def _pca_section(wh: Snapshot) -> None:
    st.subheader("How many dimensions the student traits really have")
    if not wh.has_table("student_pca_variance"):
        ui.missing("student_pca_variance")
        return
    variance = data.whole_table(wh, "student_pca_variance")
    needed = {"component", "explained_variance_ratio", "cumulative_explained_variance_ratio"}
    if needed <= set(variance.columns):
        fig = go.Figure()
        fig.add_bar(
            x=variance["component"], y=variance["explained_variance_ratio"], name="component"
        )
        fig.add_scatter(
            x=variance["component"],
            y=variance["cumulative_explained_variance_ratio"],
            mode="lines+markers",
            name="cumulative",
        )
        fig.add_hline(y=0.9, line_dash="dot")
        fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
        fig.update_layout(
            title="PCA explained variance of the one-hot student traits",
            xaxis_title="principal component",
            height=380,
        )
        ui.chart(
            fig,
            "Bars: variance each component explains; line: cumulative; the dotted line is 90%.",
            key="students_pca",
        )
    ui.table(variance, "student PCA variance")


def _fill_rate_section(wh: Snapshot) -> None:
    st.subheader("Self-reported CRM fields: how often they are filled")
    if not wh.has_table("student_field_fill_rates"):
        ui.missing("student_field_fill_rates")
        return
    rates = data.field_fill_rates(wh)
    fig = px.bar(
        rates.assign(cohort_year=rates["cohort_year"].astype(str)),
        x="field_name",
        y="fill_rate",
        color="cohort_year",
        barmode="group",
        title="Fill rate per field and cohort",
        labels={"field_name": "field", "fill_rate": "filled", "cohort_year": "cohort"},
    )
    fig.update_yaxes(tickformat=".0%")
    fig.update_layout(height=360)
    ui.chart(
        fig,
        "Low bars mean a field is too sparse to draw conclusions from.",
        key="students_fill_rates",
    )
    ui.table(rates, "student field fill rates")


def _segments_section(wh: Snapshot) -> None:
    st.subheader("Student segments")
    if not wh.has_table("student_segment_profiles"):
        ui.missing("student_segment_profiles")
        return
    profiles = data.whole_table(wh, "student_segment_profiles", order_by="segment_id")
    ui.table(
        profiles,
        "student segment profiles",
        "One row per student segment: size, LTV and its most common traits.",
    )
    if wh.has_table("student_segments"):
        sample = data.student_pca_sample(wh)
        fig = px.scatter(
            sample,
            x="pca_1",
            y="pca_2",
            color="segment_label",
            color_discrete_map=ui.segment_colours(profiles),
            symbol="ltv_class",
            hover_data=["student_id"],
            opacity=0.6,
            render_mode="webgl",
            title=f"Student segments on the first two principal components ({len(sample):,} students)",
        )
        fig.update_layout(height=480, legend_title_text="segment, LTV class")
        ui.chart(
            fig,
            "Each dot is a student (a fixed-seed sample); colours are segments, symbols high or low "
            "LTV. One-hot traits put many students on the same point.",
            key="students_segments_pca",
        )


def render(wh: Snapshot, store: str | None = None) -> None:
    """The student pages; `store` is unused: the student side has no store."""
    st.header("Students")
    if data.students_are_synthetic(wh):
        st.warning(
            "These students are the project's generated sample data, not real students: build "
            "with your exports (`make run STUDENTS_DIR=...`) to see yours."
        )
    _ltv_section(wh)
    _tree_section(wh)
    _pca_section(wh)
    _segments_section(wh)
    _fill_rate_section(wh)
