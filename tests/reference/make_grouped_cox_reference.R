# Reference fixture: the multivariable Cox model of a grouped view with a covariate ticked
# (issue 12: the grouping variable used to be dropped from it), as R fits it.
#
# Run from the repository root (part of `make reference`):
#     Rscript tests/reference/make_grouped_cox_reference.R
# Needs R >= 4.0 with survival (the committed fixture was made with 3.5.3).
#
# Data: the demo cohort's copy written by make_recurrent_reference.R
# (tests/data/reference/recurrent_demo_{patients,relapses}.csv), treatment failure derived
# by demo_with_failure() in fixture_helpers.R. Writes tests/data/reference/grouped_cox_demo.json.

suppressPackageStartupMessages(library(survival))

source(file.path("tests", "reference", "fixture_helpers.R"))

grace <- 6
patients <- demo_with_failure(grace)

# group_by = sex (reference F, as analytics.reports.report.REFERENCE_LEVELS), covariate age_at_rtx.
fit <- coxph(Surv(time_months, failure) ~ sex + age_at_rtx, data = patients, ties = "efron")
coefs <- summary(fit)$coefficients
limits <- exp(confint(fit))
names_py <- c(sexM = "sex=M", age_at_rtx = "age_at_rtx")

num <- function(v) sprintf("%.17g", v)
terms <- vapply(rownames(coefs), function(name) {
  sprintf(
    '    {"term": "%s", "coef": %s, "se": %s, "hr": %s, "ci_low": %s, "ci_high": %s, "p": %s}',
    names_py[[name]], num(coefs[name, "coef"]), num(coefs[name, "se(coef)"]),
    num(coefs[name, "exp(coef)"]), num(limits[name, 1]), num(limits[name, 2]),
    num(coefs[name, "Pr(>|z|)"])
  )
}, "")
json <- paste0(
  "{\n",
  '  "meta": {"survival_version": "', as.character(packageVersion("survival")), '", ',
  '"call": "coxph(Surv(time, status) ~ relevel(sex, \\"F\\") + age_at_rtx, ties = \\"efron\\")", ',
  '"grace_months": ', grace, "},\n",
  '  "n": ', fit$n, ",\n",
  '  "events": ', fit$nevent, ",\n",
  '  "loglik": ', num(fit$loglik[2]), ",\n",
  '  "terms": [\n', paste(terms, collapse = ",\n"), "\n  ]\n}\n"
)
writeLines(json, file.path(out_dir, "grouped_cox_demo.json"), sep = "")
