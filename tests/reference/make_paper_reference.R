# Reference fixture: the quantities analytics.reports.paper recomputes for the source study's abstract
# (Ann Clin Transl Neurol 2025;12(8):1566-74), computed by R on the demo cohort.
#
# Run from the repository root (part of `make reference`):
#     Rscript tests/reference/make_paper_reference.R
# Needs R >= 4.0 with survival (the committed fixture was made with 3.5.3).
#
# Data: the demo cohort's copy written by make_recurrent_reference.R
# (tests/data/reference/recurrent_demo_{patients,relapses}.csv), treatment failure derived
# by demo_with_failure() in fixture_helpers.R. Writes tests/data/reference/paper_demo.json.

suppressPackageStartupMessages(library(survival))

source(file.path("tests", "reference", "fixture_helpers.R"))

grace <- 6
patients <- demo_with_failure(grace)

age <- patients$age_at_rtx[!is.na(patients$age_at_rtx)]
# type = 7 is R's default and pandas' linear interpolation.
age_q <- unname(quantile(age, c(0.25, 0.5, 0.75), type = 7))

fisher <- fisher.test(table(patients$asymptomatic_lesions, patients$failure))

cox <- coxph(Surv(time_months, failure) ~ asymptomatic_lesions, data = patients, ties = "efron")
cox_coef <- summary(cox)$coefficients
cox_ci <- exp(confint(cox))

# The report's MANCOVA: (failure, time_months) on the lesion factor adjusted for age, sex and
# EDSS; the factor entered last, so the sequential test is its type III test.
fit <- manova(cbind(failure, time_months) ~ age_at_rtx + sex + edss_baseline +
                asymptomatic_lesions, data = patients)
manova_row <- function(test) {
  st <- summary(fit, test = test)$stats
  st["asymptomatic_lesions", ]
}
wilks <- manova_row("Wilks")
pillai <- manova_row("Pillai")

record <- list(
  meta = list(survival_version = as.character(packageVersion("survival")),
              r_version = as.character(getRversion()), grace_months = grace),
  patients = nrow(patients),
  failures = sum(patients$failure),
  women = sum(patients$sex == "F"),
  age = list(q1 = age_q[1], median = age_q[2], q3 = age_q[3]),
  fisher_p = fisher$p.value,
  cox = list(hr = unname(cox_coef[1, "exp(coef)"]), ci_low = cox_ci[1, 1],
             ci_high = cox_ci[1, 2], p = unname(cox_coef[1, "Pr(>|z|)"])),
  mancova = list(n = nrow(fit$model), df = unname(wilks["Df"]),
                 wilks_lambda = unname(wilks["Wilks"]), f = unname(wilks["approx F"]),
                 p = unname(wilks["Pr(>F)"]), pillai_trace = unname(pillai["Pillai"]))
)
write_json(record, "paper_demo")
