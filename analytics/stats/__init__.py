"""Estimators: survival, rates, Table 1, MANCOVA, Cox models and recurrent events."""
