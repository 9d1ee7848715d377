"""The CLI's JSON contract as docs/cli.md writes it, kept apart from the code that produces it."""

# The stable keys, in docs/cli.md's order.
CONTRACT_KEYS = (
    "n",
    "events",
    "person_years",
    "failure_rate",
    "incidence_per_100py",
    "km",
    "logrank",
    "univariable",
    "cox",
    "warnings",
)
# Each curve under km.groups.
KM_KEYS = (
    "n",
    "events",
    "median",
    "median_ci_low",
    "median_ci_high",
    "timeline",
    "survival",
    "ci_low",
    "ci_high",
)
