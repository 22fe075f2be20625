-- Every segment model stored before this build (marts.segment_model_versions as it was when the
-- build started), so that the refit decision and the id matching read the state this build
-- starts from. Read by name, not ref(): segment_model_versions is built later in the run.
{{ previous_rows('segment_model_versions', [
    ['store', dbt.type_string()],
    ['model_run_id', dbt.type_string()],
    ['fitted_at', dbt.type_timestamp()],
    ['fit_as_of_date', 'date'],
    ['forced_k', 'integer'],
    ['far_distance', 'double'],
    ['segment_id', 'integer'],
    ['segment_label', dbt.type_string()],
    ['dominant_rfm_segment', dbt.type_string()],
    ['segment_position', dbt.type_string()],
    ['feature', dbt.type_string()],
    ['feature_order', 'integer'],
    ['transform', dbt.type_string()],
    ['scaler_mean', 'double'],
    ['scaler_scale', 'double'],
    ['centroid_scaled', 'double'],
    ['centroid_value', 'double'],
]) }}
