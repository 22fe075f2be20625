"""One row: the Python and library versions this build's segmentation ran with."""

import pandas as pd

from models_py.versions import library_versions


def model(dbt, session):
    dbt.config(materialized="table")
    return pd.DataFrame([library_versions()])
