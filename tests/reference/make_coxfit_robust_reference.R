# Reference fixtures for the Cox engine's cluster-robust variance:
# tests/reference/test_coxfit_robust_vs_r.py.
#
# Run from the repository root:
#     Rscript tests/reference/make_coxfit_robust_reference.R
# Needs R >= 4.0 with survival (committed fixtures made with 3.5.3).
#
# Writes, under tests/data/reference/:
#   coxfit_robust_rats.csv      survival::rats (litters of three, many tied times)
#   coxfit_robust_bladder2.csv  survival::bladder2, (start, stop] rows of 85 patients
#   coxfit_robust.json          coef, the model and the robust variance matrices
# CI has no R: the tests read the committed files only.

suppressPackageStartupMessages(library(survival))

source(file.path("tests", "reference", "fixture_helpers.R"))

# Matrices row by row, so the JSON is a list of rows whatever R's storage order.
rows <- function(m) lapply(seq_len(nrow(m)), function(i) arr(unname(m[i, ])))

described <- function(fit) {
  list(coef = arr(unname(coef(fit))),
       naive_var = rows(fit$naive.var),
       robust_var = rows(vcov(fit)),
       loglik = arr(unname(fit$loglik)))
}

rats_csv <- write_data(
  data.frame(litter = rats$litter, rx = rats$rx, time = rats$time, status = rats$status,
             male = as.integer(rats$sex == "m")),
  "coxfit_robust_rats")
bladder_csv <- write_data(
  bladder2[, c("id", "rx", "number", "size", "start", "stop", "event")],
  "coxfit_robust_bladder2")

results <- list(
  meta = meta(),
  # Right-censored rows clustered by litter.
  rats_litter = described(coxph(Surv(time, status) ~ rx + male + cluster(litter),
                                data = rats_csv, ties = "efron")),
  # robust = TRUE without cluster(): every row is its own cluster.
  rats_rows = described(coxph(Surv(time, status) ~ rx + male, data = rats_csv,
                              ties = "efron", robust = TRUE)),
  # Counting-process rows clustered by patient (Andersen-Gill).
  bladder2_id = described(coxph(Surv(start, stop, event) ~ rx + number + size + cluster(id),
                                data = bladder_csv, ties = "efron"))
)

write_json(results, "coxfit_robust")
