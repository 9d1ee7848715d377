# Reference fixtures for recurrent relapses and conditional survival:
# tests/reference/test_recurrent_vs_r.py and tests/reference/test_conditional_vs_r.py.
#
# Run from the repository root:
#     Rscript tests/reference/make_recurrent_reference.R
# Needs R >= 4.0 with survival (>= 3.0; committed fixtures made with 3.5.3) and MASS
# (glm.nb; `apt-get install r-cran-mass`). jsonlite is not needed (see fixture_helpers.R).
#
# Writes, under tests/data/reference/:
#   recurrent_bladder2_{patients,relapses}.csv  survival::bladder2 in our contract's form
#   recurrent_bladder2.json    Andersen-Gill coxph(... + cluster(id)) and the MCF
#   recurrent_quine.csv/.json  MASS::quine with a deterministic person-years column;
#                              glm.nb and Poisson glm with offset(log(years))
#   recurrent_demo_{patients,relapses}.csv  a copy of analytics/data/demo/*.csv (the
#                              tests read the copy, so a regenerated demo cannot
#                              silently invalidate these fixtures)
#   recurrent_demo.json        every recurrent-relapse statistic on the demo cohort,
#                              with the data sets built here in R from the CSVs
#   conditional_reference.json conditional survival on lung/veteran/ovarian.csv
#                              (files written by make_reference.R; read, not rewritten)
#   conditional_demo.json      conditional survival on the demo cohort
# CI has no R: the tests read the committed files only.

suppressPackageStartupMessages({
  library(survival)
  library(MASS)
})

source(file.path("tests", "reference", "fixture_helpers.R"))

# ---------------------------------------------------------------------------
# Building blocks, written to mirror analytics/stats/recurrent/ step by step.
# ---------------------------------------------------------------------------

# Counting-process (Andersen-Gill) data: follow-up from `grace` to followup_months
# split at every relapse in (grace, followup]; duplicate relapse months count once.
ag_data <- function(patients, relapses, grace = 0) {
  people <- patients[patients$followup_months > grace, ]
  rows <- lapply(seq_len(nrow(people)), function(i) {
    pid <- people$patient_id[i]
    fu <- people$followup_months[i]
    r <- relapses$months_from_rtx[relapses$patient_id == pid]
    r <- sort(unique(r[r > grace & r <= fu]))
    stops <- sort(unique(c(r, fu)))
    data.frame(patient_id = pid, start = c(grace, head(stops, -1)), stop = stops,
               event = as.integer(stops %in% r))
  })
  merge(do.call(rbind, rows), people, by = "patient_id", sort = FALSE)
}

# Per-patient counts as analytics.stats.rates.annualized_relapse_rates: pre window
# [-window, 0), post (grace, followup], person-years window/12 and (followup - grace)/12.
patient_counts <- function(patients, relapses, grace = 0, window = 24) {
  count <- function(pid, keep) sum(relapses$patient_id == pid & keep)
  m <- relapses$months_from_rtx
  fu_of <- setNames(patients$followup_months, patients$patient_id)
  fu <- fu_of[as.character(relapses$patient_id)]
  pre <- vapply(patients$patient_id, count, 0, keep = m < 0 & m >= -window)
  post <- vapply(patients$patient_id, count, 0, keep = m > grace & !is.na(fu) & m <= fu)
  cbind(patients, pre_relapses = pre, pre_years = window / 12, post_relapses = post,
        post_years = pmax(patients$followup_months - grace, 0) / 12)
}

# Tight convergence so the fixtures are the models' exact optima, not R's
# default stopping point (glm.nb's default epsilon 1e-8 leaves theta ~1e-6 off).
tight <- glm.control(epsilon = 1e-13, maxit = 200)

count_record <- function(fit, call_text) {
  co <- summary(fit)$coefficients
  out <- list(call = call_text, r_names = arr(rownames(co)), coef = arr(co[, 1]),
              se = arr(co[, 2]), p = arr(co[, 4]),
              ci_low = arr(confint.default(fit)[, 1]),
              ci_high = arr(confint.default(fit)[, 2]),
              loglik = as.numeric(logLik(fit)), n = nrow(co))
  if (!is.null(fit$theta)) {
    out$theta <- fit$theta
    out$theta_se <- fit$SE.theta
  }
  out
}

ag_record <- function(fit, call_text) {
  co <- summary(fit)$coefficients
  list(call = call_text, r_names = arr(rownames(co)), coef = arr(co[, "coef"]),
       naive_se = arr(co[, "se(coef)"]), robust_se = arr(co[, "robust se"]),
       p = arr(co[, "Pr(>|z|)"]),
       ci_low = arr(summary(fit)$conf.int[, "lower .95"]),
       ci_high = arr(summary(fit)$conf.int[, "upper .95"]),
       loglik_null = fit$loglik[1], loglik = fit$loglik[2], n = fit$n, events = fit$nevent)
}

# MCF = Nelson-Aalen cumulative hazard of the counting-process data with id=, whose
# std.chaz is the robust (Lawless-Nadeau) SE; log-transformed 95% CI by hand.
mcf_record <- function(fit) {
  one <- function(f) {
    z <- qnorm(0.975)
    list(time = arr(f$time), n_risk = arr(f$n.risk), n_event = arr(f$n.event),
         cumhaz = arr(f$cumhaz), std_chaz = arr(f$std.chaz),
         lower = arr(f$cumhaz * exp(-z * f$std.chaz / f$cumhaz)),
         upper = arr(f$cumhaz * exp(z * f$std.chaz / f$cumhaz)))
  }
  if (is.null(fit$strata)) return(list(All = one(fit)))
  groups <- list()
  for (i in seq_along(fit$strata)) groups[[sub("^[^=]*=", "", names(fit$strata)[i])]] <- one(fit[i])
  groups
}

# ===========================================================================
# 1. bladder2 (survival): recurrences of bladder tumours, Andersen-Gill form.
#    85 patients, 112 recurrences, times in months; rx 1 placebo, 2 thiotepa.
# ===========================================================================
b2 <- survival::bladder2
stopifnot(all(b2$stop > b2$start), !any(duplicated(b2[, c("id", "stop")])))
b2_patients <- aggregate(stop ~ id + rx + number + size, data = b2, FUN = max)
b2_patients <- b2_patients[order(b2_patients$id), ]
b2_patients <- write_data(data.frame(
  patient_id = sprintf("bl-%03d", b2_patients$id), followup_months = b2_patients$stop,
  rx = b2_patients$rx, number = b2_patients$number, size = b2_patients$size
), "recurrent_bladder2_patients")
b2_events <- b2[b2$event == 1, ]
b2_relapses <- write_data(data.frame(patient_id = sprintf("bl-%03d", b2_events$id),
                                     months_from_rtx = b2_events$stop),
                          "recurrent_bladder2_relapses")
b2_ag <- ag_data(b2_patients, b2_relapses)
b2_ag <- b2_ag[order(b2_ag$patient_id, b2_ag$start), ]
# Rebuilding bladder2 from the two CSVs gives back exactly its intervals.
stopifnot(nrow(b2_ag) == nrow(b2), all(b2_ag$stop == b2[order(b2$id, b2$start), "stop"]),
          all(b2_ag$event == b2[order(b2$id, b2$start), "event"]))

write_json(list(
  meta = meta(mass = TRUE,
              note = "bladder2 from survival; months; rebuilt from the two CSVs by ag_data()."),
  n_intervals = nrow(b2_ag),
  ag = ag_record(coxph(Surv(start, stop, event) ~ rx + number + size + cluster(patient_id),
                       data = b2_ag, ties = "efron"),
                 "coxph(Surv(start, stop, event) ~ rx + number + size + cluster(id))"),
  ag_rx = ag_record(coxph(Surv(start, stop, event) ~ rx + cluster(patient_id), data = b2_ag,
                          ties = "efron"),
                    "coxph(Surv(start, stop, event) ~ rx + cluster(id))"),
  mcf = mcf_record(survfit(Surv(start, stop, event) ~ 1, id = patient_id, data = b2_ag)),
  mcf_rx = mcf_record(survfit(Surv(start, stop, event) ~ rx, id = patient_id, data = b2_ag))
), "recurrent_bladder2")

# ===========================================================================
# 2. quine (MASS): days absent from school, an overdispersed count. The person-years
#    offset is artificial but deterministic: 0.5, 1, 1.5 or 2 years in turn.
# ===========================================================================
q <- MASS::quine
quine_df <- write_data(data.frame(
  patient_id = sprintf("q-%03d", seq_len(nrow(q))), days = q$Days,
  years = 0.5 * (seq_len(nrow(q)) %% 4 + 1), eth = as.character(q$Eth),
  sex = as.character(q$Sex), age = as.character(q$Age), lrn = as.character(q$Lrn)
), "recurrent_quine")
quine_formula <- days ~ eth + sex + age + lrn + offset(log(years))
write_json(list(
  meta = meta(mass = TRUE,
              note = "quine from MASS; years = 0.5 * (row %% 4 + 1), artificial offset."),
  negbin = count_record(glm.nb(quine_formula, data = quine_df, control = tight),
                        "glm.nb(days ~ eth + sex + age + lrn + offset(log(years)))"),
  negbin_default_control = count_record(glm.nb(quine_formula, data = quine_df),
                                        "the same with glm.nb's default control"),
  negbin_sex = count_record(glm.nb(days ~ sex + offset(log(years)), data = quine_df,
                                   control = tight),
                            "glm.nb(days ~ sex + offset(log(years)))"),
  poisson = count_record(glm(quine_formula, family = poisson, data = quine_df, control = tight),
                         "glm(days ~ eth + sex + age + lrn + offset(log(years)), poisson)")
), "recurrent_quine")

# ===========================================================================
# 3. The demo cohort, built here from the CSVs exactly as the Python does.
# ===========================================================================
demo_patients <- write_data(read.csv(file.path("analytics", "data", "demo", "patients.csv"),
                                     na.strings = "", stringsAsFactors = FALSE),
                            "recurrent_demo_patients")
demo_relapses <- write_data(read.csv(file.path("analytics", "data", "demo", "relapses.csv"),
                                     stringsAsFactors = FALSE),
                            "recurrent_demo_relapses")
counts <- patient_counts(demo_patients, demo_relapses)
long <- rbind(
  data.frame(patient_id = counts$patient_id, relapses = counts$pre_relapses,
             years = counts$pre_years, post_rituximab = 0),
  data.frame(patient_id = counts$patient_id, relapses = counts$post_relapses,
             years = counts$post_years, post_rituximab = 1)
)
counts6 <- patient_counts(demo_patients, demo_relapses, grace = 6)
counts6 <- counts6[counts6$post_years > 0, ]
ag0 <- ag_data(demo_patients, demo_relapses, grace = 0)
ag6 <- ag_data(demo_patients, demo_relapses, grace = 6)
ag0$sex <- factor(ag0$sex, levels = c("F", "M"))

write_json(list(
  # The note keeps the demo's path from when the fixture was made (before the package
  # layout), so that regenerating leaves the committed fixture byte-identical.
  meta = meta(mass = TRUE,
              note = "analytics/demo (synthetic); pre window 24 months before the first infusion."),
  counts = list(patient_id = arr(counts$patient_id), pre = arr(counts$pre_relapses),
                post = arr(counts$post_relapses), post_years = arr(counts$post_years)),
  negbin_lesions = count_record(
    glm.nb(post_relapses ~ asymptomatic_lesions + offset(log(post_years)), data = counts,
           control = tight),
    "glm.nb(post ~ asymptomatic_lesions + offset(log(post_years)))"),
  poisson_lesions = count_record(
    glm(post_relapses ~ asymptomatic_lesions + offset(log(post_years)), family = poisson,
        data = counts, control = tight),
    "glm(post ~ asymptomatic_lesions + offset(log(post_years)), poisson)"),
  negbin_lesions_grace6 = count_record(
    glm.nb(post_relapses ~ asymptomatic_lesions + offset(log(post_years)), data = counts6,
           control = tight),
    "glm.nb(...) with grace 6: relapses in (6, followup] over (followup - 6) / 12"),
  negbin_pre_post = count_record(
    glm.nb(relapses ~ post_rituximab + offset(log(years)), data = long, control = tight),
    "glm.nb(relapses ~ post_rituximab + offset(log(years))), two rows per patient"),
  poisson_pre_post = count_record(
    glm(relapses ~ post_rituximab + offset(log(years)), family = poisson, data = long,
        control = tight),
    "glm(relapses ~ post_rituximab + offset(log(years)), poisson)"),
  ag_n_intervals = nrow(ag0),
  ag_lesions = ag_record(
    coxph(Surv(start, stop, event) ~ asymptomatic_lesions + cluster(patient_id),
          data = ag0, ties = "efron"),
    "coxph(Surv(start, stop, event) ~ asymptomatic_lesions + cluster(id))"),
  ag_multi = ag_record(
    coxph(Surv(start, stop, event) ~ asymptomatic_lesions + age_at_rtx + sex +
            cluster(patient_id), data = ag0, ties = "efron"),
    "coxph(Surv(start, stop, event) ~ asymptomatic_lesions + age_at_rtx + sex + cluster(id))"),
  ag_lesions_grace6 = ag_record(
    coxph(Surv(start, stop, event) ~ asymptomatic_lesions + cluster(patient_id),
          data = ag6, ties = "efron"),
    "the same on intervals from month 6, relapses in (6, followup]"),
  mcf = mcf_record(survfit(Surv(start, stop, event) ~ 1, id = patient_id, data = ag0)),
  mcf_lesions = mcf_record(survfit(Surv(start, stop, event) ~ asymptomatic_lesions,
                                   id = patient_id, data = ag0))
), "recurrent_demo")

# ===========================================================================
# 4. Conditional survival S(X + Y) / S(X) as survfit(start.time = X) at X + Y.
#    start.time keeps patients with time >= X, so a failure at exactly X would count
#    against R's value but not ours; each X is checked to carry no failure.
#    For X AT a failure time the reference is start.time = X + 1e-6 (lung's times are
#    whole days), which is P(T > X + Y | T > X), our definition.
# ===========================================================================
conditional_record <- function(d, x, y, group = NULL, shift = 0) {
  one <- function(rows) {
    fit <- survfit(Surv(followup_months, failure) ~ 1, data = rows, conf.type = "log-log",
                   start.time = x + shift)
    s <- summary(fit, times = x + y)
    list(n_risk_at_start = sum(rows$followup_months > x),
         events = sum(rows$failure == 1 & rows$followup_months > x &
                        rows$followup_months <= x + y),
         # summary()'s std.err is the SE of S (not of log S, unlike fit$std.err).
         surv = s$surv, std_err = s$std.err, lower = s$lower, upper = s$upper)
  }
  if (is.null(group)) return(list(All = one(d)))
  levels <- sort(unique(d[[group]]))
  setNames(lapply(levels, function(v) one(d[d[[group]] == v, ])), as.character(levels))
}

no_failure_at <- function(d, x) stopifnot(!any(d$failure == 1 & d$followup_months == x))

lung <- read.csv(file.path(out_dir, "lung.csv"), na.strings = "", stringsAsFactors = FALSE)
veteran <- read.csv(file.path(out_dir, "veteran.csv"), na.strings = "",
                    stringsAsFactors = FALSE)
ovarian <- read.csv(file.path(out_dir, "ovarian.csv"), na.strings = "",
                    stringsAsFactors = FALSE)
for (x in c(200, 365)) no_failure_at(lung, x)
for (x in c(60, 120)) no_failure_at(veteran, x)
no_failure_at(ovarian, 400)
stopifnot(any(lung$failure == 1 & lung$followup_months == 180))   # a failure at X

cases <- list(
  list(name = "lung", x = 200, y = 365, group = NULL),
  list(name = "lung", x = 365, y = 180, group = "sex"),
  list(name = "veteran", x = 60, y = 90, group = "trt"),
  list(name = "veteran", x = 120, y = 200, group = NULL),
  list(name = "ovarian", x = 400, y = 365, group = NULL)
)
data_of <- list(lung = lung, veteran = veteran, ovarian = ovarian)
records <- lapply(cases, function(k) {
  list(dataset = k$name, given = k$x, horizon = k$y, group_by = k$group,
       groups = conditional_record(data_of[[k$name]], k$x, k$y, k$group))
})
records[[length(records) + 1]] <- list(
  dataset = "lung", given = 180, horizon = 200, group_by = NULL,
  note = "failure at exactly X = 180: R start.time = 180 + 1e-6",
  groups = conditional_record(lung, 180, 200, shift = 1e-6))
write_json(list(
  meta = meta(mass = TRUE,
              note = "lung/veteran/ovarian CSVs of make_reference.R; days; log-log CI."),
  cases = records
), "conditional_reference")

# Demo: failure = first relapse in (6, followup]; time = that relapse or last follow-up.
first_after <- function(pid, fu) {
  m <- demo_relapses$months_from_rtx[demo_relapses$patient_id == pid]
  m <- m[m > 6 & m <= fu]
  if (length(m)) min(m) else NA
}
failure_months <- mapply(first_after, demo_patients$patient_id, demo_patients$followup_months)
demo_outcome <- data.frame(
  asymptomatic_lesions = demo_patients$asymptomatic_lesions,
  failure = as.integer(!is.na(failure_months)),
  followup_months = ifelse(is.na(failure_months), demo_patients$followup_months, failure_months)
)
demo_cases <- list(list(x = 6, y = 12), list(x = 12, y = 24), list(x = 24, y = 12))
for (k in demo_cases) no_failure_at(demo_outcome, k$x)
write_json(list(
  meta = meta(mass = TRUE,
              note = "demo cohort, grace 6: failure = first relapse in (6, followup]."),
  cases = lapply(demo_cases, function(k) list(
    given = k$x, horizon = k$y,
    all = conditional_record(demo_outcome, k$x, k$y),
    lesions = conditional_record(demo_outcome, k$x, k$y, "asymptomatic_lesions")))
), "conditional_demo")
