"""int_interest_segmentation: per store, customers segmented on their category-share vectors ("customers who buy the same products"), in one long table that the three interest marts split: the k selection, each customer's interest segment and each segment's profile."""


from models_py import interests, long_tables, segmentation


def model(dbt, session):
    dbt.config(materialized="table")
    shares = dbt.ref("int_customer_category_shares").df()
    runs = dbt.ref("int_commerce_segmentation_runs").df()
    parts = []
    for store, rows in shares.groupby("store", sort=True):
        run_id, _ = segmentation.run_settings(runs.loc[runs["store"] == store])
        selection, assignments, profiles = interests.interest_segments(
            rows.drop(columns="store"), None, run_id
        )
        for kind, frame in (("k_selection", selection), ("customer", assignments), ("profile", profiles)):
            parts.append(frame.assign(store=store, row_kind=kind))
    return long_tables.long_table(parts)
