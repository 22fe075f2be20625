-- The lifetime value models stored before this build (marts.clv_model as it was when the build
-- started): a build that does not refit a store's segment model scores that store's customers
-- with them (int_clv_fits). Read by name, not ref(): clv_model is built later in the run.
{{ previous_rows('clv_model', [
    ['store', dbt.type_string()],
    ['fit_window', dbt.type_string()],
    ['fit_end', 'date'],
    ['model', dbt.type_string()],
    ['r', 'double'],
    ['alpha', 'double'],
    ['a', 'double'],
    ['b', 'double'],
    ['p', 'double'],
    ['q', 'double'],
    ['gamma', 'double'],
    ['log_likelihood', 'double'],
    ['n_customers', 'integer'],
    ['converged', 'boolean'],
    ['is_served', 'boolean'],
    ['churn_days', 'integer'],
    ['horizon_days', 'integer'],
    ['annual_discount_rate', 'double'],
    ['model_run_id', dbt.type_string()],
]) }}
