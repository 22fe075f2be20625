-- The lines of known customers at product level, for the product side (products, categories,
-- customers' interests): one row per invoice, customer, stock code and description with the flags
-- the commerce rules read, the lines, units and value. Exact duplicates are found as in the load
-- (stg_online_retail__line_groups): only lines whose fingerprint repeats are compared column by
-- column. Lines without a customer are left out: no rule ever counts them.
{{ config(tags=['products']) }}
{{ online_retail__current_product_lines() }}
