# (d) R `survival` on the benchmark's cohort files and views: the same KM + log-rank + Cox
# (univariable and multivariable, Efron ties) as our analytics' "core fits".
#
# Usage: Rscript benchmarks/r_bench.R CONFIG.json OUTPUT.json
# CONFIG (written by benchmarks/rbench.py): {"cohorts": [{"n", "patients", "relapses",
#   "inner", "views": [{"sex", "age_min", "age_max", "edss_min", "edss_max", "lesions",
#   "gd_persistent", "grace_months", "group_by", "covariates"}]}]}
# Times are measured inside R with proc.time() around `inner` repetitions (so Rscript's own
# start-up and the CSV reading are excluded); each view gives one sample, the mean of them.
# Data preparation (outcome with the grace period, filters, reference levels) is timed apart
# from the fits, as the Python side prepares its frame outside its fits timer.

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2) stop("usage: Rscript r_bench.R CONFIG.json OUTPUT.json")
config <- fromJSON(args[1], simplifyVector = FALSE)
references <- list(sex = "F", fcgr3a_v158f = "FF")

in_range <- function(values, low, high) {
  keep <- !is.na(values)
  if (!is.null(low)) keep <- keep & values >= low
  if (!is.null(high)) keep <- keep & values <= high
  keep
}

prepare <- function(patients, relapses, view) {
  later <- relapses[relapses$months_from_rtx > view$grace_months, ]
  first <- tapply(later$months_from_rtx, later$patient_id, min)
  failure_months <- unname(first[patients$patient_id])
  failure_months[!is.na(failure_months) &
                   failure_months > patients$followup_months] <- NA
  d <- patients
  d$failure <- as.integer(!is.na(failure_months))
  d$time_months <- ifelse(is.na(failure_months), d$followup_months, failure_months)
  keep <- rep(TRUE, nrow(d))
  if (!is.null(view$sex)) keep <- keep & !is.na(d$sex) & d$sex == view$sex
  if (!is.null(view$lesions)) {
    keep <- keep & !is.na(d$asymptomatic_lesions) & d$asymptomatic_lesions == view$lesions
  }
  if (!is.null(view$gd_persistent)) {
    keep <- keep & !is.na(d$gd_persistent) & d$gd_persistent == view$gd_persistent
  }
  if (!is.null(view$age_min) || !is.null(view$age_max)) {
    keep <- keep & in_range(d$age_at_rtx, view$age_min, view$age_max)
  }
  if (!is.null(view$edss_min) || !is.null(view$edss_max)) {
    keep <- keep & in_range(d$edss_baseline, view$edss_min, view$edss_max)
  }
  d <- d[keep, ]
  for (name in names(references)) {
    values <- factor(d[[name]])
    if (references[[name]] %in% levels(values)) values <- relevel(values, ref = references[[name]])
    d[[name]] <- values
  }
  d
}

cox <- function(d, terms) {
  formula <- as.formula(paste("Surv(time_months, failure) ~", paste(terms, collapse = " + ")))
  fit <- tryCatch(suppressWarnings(coxph(formula, data = d, ties = "efron")),
                  error = function(e) NULL)
  if (!is.null(fit)) summary(fit)
  fit
}

fits <- function(d, view) {
  surv <- "Surv(time_months, failure)"
  group <- view$group_by
  if (is.null(group)) {
    km <- survfit(Surv(time_months, failure) ~ 1, data = d, conf.type = "log-log")
    summary(km)$table
  } else {
    grouped <- d[!is.na(d[[group]]), ]
    formula <- as.formula(paste(surv, "~", group))
    km <- survfit(formula, data = grouped, conf.type = "log-log")
    summary(km)$table
    if (length(unique(grouped[[group]])) > 1) survdiff(formula, data = grouped)
  }
  covariates <- unlist(view$covariates)
  names <- if (length(covariates)) covariates else if (!is.null(group)) group else character()
  last <- NULL
  for (name in names) last <- cox(d, name)
  if (length(covariates)) last <- cox(d, covariates)
  if (is.null(last)) list() else as.list(coef(last))
}

seconds_per_call <- function(inner, expression) {
  started <- proc.time()[["elapsed"]]
  for (i in seq_len(inner)) result <- expression()
  list(seconds = (proc.time()[["elapsed"]] - started) / inner, result = result)
}

results <- list()
for (cohort in config$cohorts) {
  patients <- read.csv(cohort$patients, na.strings = "", stringsAsFactors = FALSE)
  relapses <- read.csv(cohort$relapses, na.strings = "", stringsAsFactors = FALSE)
  inner <- cohort$inner
  samples <- list()
  for (view in cohort$views) {
    prepared <- seconds_per_call(inner, function() prepare(patients, relapses, view))
    d <- prepared$result
    fitted <- seconds_per_call(inner, function() fits(d, view))
    samples[[length(samples) + 1]] <- list(
      prepare_seconds = prepared$seconds,
      fits_seconds = fitted$seconds,
      n = nrow(d),
      events = sum(d$failure),
      coef = fitted$result
    )
  }
  results[[length(results) + 1]] <- list(n = cohort$n, inner = inner, views = samples)
}

output <- list(
  r_version = R.version.string,
  survival_version = as.character(packageVersion("survival")),
  cohorts = results
)
write_json(output, args[2], auto_unbox = TRUE, digits = NA, null = "null", na = "null")
