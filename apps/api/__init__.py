"""HTTP scoring API: classify recency, frequency and monetary value into a customer segment."""
