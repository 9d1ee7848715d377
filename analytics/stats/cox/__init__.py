"""Cox regression: the one Efron engine, the report's models, Firth and cox.zph."""
