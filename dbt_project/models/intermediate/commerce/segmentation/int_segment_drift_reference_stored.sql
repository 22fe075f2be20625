-- The fit-time feature distribution of every stored segment model (marts.segment_drift_reference
-- as it was when the build started): what drift is measured against. Read by name, not ref():
-- segment_drift_reference is built later in the run.
{{ previous_rows('segment_drift_reference', [
    ['store', dbt.type_string()],
    ['model_run_id', dbt.type_string()],
    ['feature', dbt.type_string()],
    ['bin', 'integer'],
    ['upper_bound', 'double'],
    ['share', 'double'],
]) }}
