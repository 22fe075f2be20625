"""One row per distinct first name of the students, with the gender gender-guesser gives it.

Only the distinct names leave DuckDB (a few thousand at most), never student rows.
"""

from models_py.gender import genders_of


def model(dbt, session):
    dbt.config(materialized="table")
    students = dbt.ref("int_students_merged")
    names = (
        students.filter("first_name is not null")
        .project("first_name")
        .distinct()
        .order("first_name")
        .df()
    )
    names["gender"] = genders_of(names["first_name"])
    return names
