# Reference fixtures for the log-rank test with 3+ groups and for Harrell's concordance of
# counting-process (start, stop] Cox models, on public data sets not used elsewhere.
#
# Run from the repository root:
#     Rscript tests/reference/make_logrank_concordance_reference.R
# Needs R >= 4.0 with survival (the committed fixtures were made with 3.5.3) and MASS.
# Writes tests/data/reference/logrank_<name>.csv / concordance_<name>.csv (the rows R
# used, as written: R is re-fitted on the CSV it wrote, so both sides see identical
# inputs) and logrank_concordance.json (R's answers). CI has no R: commit the output.

suppressPackageStartupMessages({
  library(survival)
  library(MASS)
})

source(file.path("tests", "reference", "fixture_helpers.R"))

# Group columns are read back as text, so "0.5" stays the label "0.5".
write_grouped <- function(df, name) write_data(df, name, colClasses = c(group = "character"))

# ---------------------------------------------------------------------------
# 1. Log-rank, R survdiff(rho = 0). Each case: one data set, one grouping with 3-5 (or
#    more) levels. CSV columns: time, status (0/1), group (text). survdiff uses only the
#    groups with expected > 0 and solves the (k-1) system: chisq = sum(solve(vv, o-e) * (o-e)).
# ---------------------------------------------------------------------------
logrank_case <- function(name, time, status, group, note) {
  keep <- !is.na(time) & !is.na(status) & !is.na(group)
  d <- data.frame(time = time[keep], status = as.integer(status[keep]),
                  group = as.character(group[keep]))
  d <- write_grouped(d, paste0("logrank_", name))
  sd <- survdiff(Surv(time, status) ~ group, data = d)
  df <- sum(sd$exp > 0) - 1
  event_times <- d$time[d$status == 1]
  list(note = note, n = nrow(d), groups = arr(sub("^[^=]*=", "", names(sd$n))),
       k = length(sd$n), tied_event_times = anyDuplicated(event_times) > 0,
       chisq = sd$chisq, df = df, p = pchisq(sd$chisq, df, lower.tail = FALSE),
       observed = arr(as.vector(sd$obs)), expected = arr(as.vector(sd$exp)))
}

quantile_groups <- function(x, k) {
  cut(x, quantile(x, seq(0, 1, length.out = k + 1), na.rm = TRUE), include.lowest = TRUE,
      labels = paste0("q", seq_len(k)))
}

pbc1 <- survival::pbc
colon_death <- subset(survival::colon, etype == 2)
cgd_first <- subset(survival::cgd, enum == 1)
mel <- MASS::Melanoma
va <- MASS::VA
rats <- survival::rats
no_asc <- subset(pbc1, ascites == 0)
hepato <- subset(pbc1, hepato == 1)
no_perf <- subset(colon_death, perfor == 0)
node0 <- subset(survival::colon, node4 == 0)
logrank <- list(
  pbc_edema = logrank_case("pbc_edema", pbc1$time, pbc1$status == 2, pbc1$edema,
                           "survival::pbc, death (status 2) by edema 0/0.5/1"),
  pbc_stage = logrank_case("pbc_stage", pbc1$time, pbc1$status == 2, pbc1$stage,
                           "survival::pbc, death by histologic stage 1-4"),
  pbc_age5 = logrank_case("pbc_age5", pbc1$time, pbc1$status == 2,
                          quantile_groups(pbc1$age, 5),
                          "survival::pbc, death by age quintile"),
  colon_rx = logrank_case("colon_rx", colon_death$time, colon_death$status, colon_death$rx,
                          "survival::colon (etype 2, death) by rx"),
  colon_extent = logrank_case("colon_extent", colon_death$time, colon_death$status,
                              colon_death$extent,
                              "survival::colon (etype 2, death) by extent 1-4"),
  cgd_hospital = logrank_case("cgd_hospital", cgd_first$tstop, cgd_first$status,
                              cgd_first$hos.cat,
                              "survival::cgd, first infection (enum 1) by hos.cat"),
  retinopathy_risk = logrank_case("retinopathy_risk", survival::retinopathy$futime,
                                  survival::retinopathy$status,
                                  survival::retinopathy$risk,
                                  "survival::retinopathy by risk group (6 levels)"),
  melanoma_thickness = logrank_case("melanoma_thickness", mel$time, mel$status == 1,
                                    quantile_groups(mel$thickness, 5),
                                    "MASS::Melanoma, melanoma death by thickness quintile"),
  melanoma_thickness3 = logrank_case("melanoma_thickness3", mel$time, mel$status == 1,
                                     quantile_groups(mel$thickness, 3),
                                     "MASS::Melanoma, melanoma death by thickness tertile"),
  melanoma_thickness4 = logrank_case("melanoma_thickness4", mel$time, mel$status == 1,
                                     quantile_groups(mel$thickness, 4),
                                     "MASS::Melanoma, melanoma death by thickness quartile"),
  # A group with no expected events (all censored before the first death): survdiff drops
  # it from the statistic and from df.
  melanoma_early_censored = logrank_case(
    "melanoma_early_censored", mel$time, mel$status == 1,
    ifelse(mel$status != 1 & mel$time < min(mel$time[mel$status == 1]), "early",
           as.character(quantile_groups(mel$thickness, 3))),
    "MASS::Melanoma by thickness tertile; those censored before the first death apart"),
  va_cell = logrank_case("va_cell", va$stime, va$status, va$cell,
                         "MASS::VA by cell type 1-4"),
  # Subgroups where V's null singular value lands just above numpy's pinv cut-off (found by
  # scanning subgroups of public data): a pseudo-inverse of the full V is off by 0.1-3 %.
  pbc_edema_no_ascites = logrank_case("pbc_edema_no_ascites", no_asc$time, no_asc$status == 2,
                                      no_asc$edema,
                                      "survival::pbc, ascites 0: death by edema"),
  pbc_edema_hepato = logrank_case("pbc_edema_hepato", hepato$time, hepato$status > 0,
                                  hepato$edema,
                                  "survival::pbc, hepato 1: death or transplant by edema"),
  colon_extent_no_perforation = logrank_case("colon_extent_no_perforation", no_perf$time,
                                             no_perf$status, no_perf$extent,
                                             "survival::colon (etype 2), perfor 0: by extent"),
  colon_differ_node4 = logrank_case("colon_differ_node4", node0$time, node0$status,
                                    node0$differ,
                                    "survival::colon (both etypes), node4 0: by differ"),
  rats_litter = logrank_case("rats_litter", rats$time, rats$status,
                             sprintf("L%03d", rats$litter),
                             "survival::rats by litter (100 groups, most without events)")
)

# ---------------------------------------------------------------------------
# 2. Concordance of counting-process Cox models: coxph(Surv(tstart, tstop, event) ~ ...)
#    and its fit$concordance (concordancefit, timewt = "n": for each event at t, the rows
#    with tstart < t <= tstop; tied risk scores count 1/2; rows with an event at the same
#    t are tied in time and not compared).
# ---------------------------------------------------------------------------
cox_case <- function(fit, call_text, n_rows) {
  co <- summary(fit)$coefficients
  list(call = call_text, n = fit$n, events = fit$nevent, terms = arr(rownames(co)),
       coef = arr(unname(co[, "coef"])), loglik = fit$loglik[2],
       concordance = unname(fit$concordance["concordance"]),
       concordant = unname(fit$concordance["concordant"]),
       discordant = unname(fit$concordance["discordant"]),
       tied_risk = unname(fit$concordance["tied.x"]),
       tied_time = unname(fit$concordance["tied.y"]))
}

# heart: the Stanford transplant data in (start, stop] form.
heart <- write_grouped(data.frame(tstart = survival::heart$start, tstop = survival::heart$stop,
                               event = survival::heart$event, age = survival::heart$age,
                               transplant = as.integer(survival::heart$transplant) - 1L,
                               surgery = survival::heart$surgery,
                               group = "all"), "concordance_heart")

# cgd: recurrent infections, (tstart, tstop] per infection (Andersen-Gill style rows).
cgd <- survival::cgd
cgd <- write_grouped(data.frame(tstart = cgd$tstart, tstop = cgd$tstop, event = cgd$status,
                             treat = as.integer(cgd$treat == "rIFN-g"), age = cgd$age,
                             steroids = cgd$steroids, group = "all"), "concordance_cgd")

# pbcseq: lab values as time-dependent covariates, built with tmerge.
first <- pbcseq[!duplicated(pbcseq$id), c("id", "futime", "status", "age")]
pbc_td <- tmerge(first[, c("id", "age")], first, id = id,
                 death = event(futime, as.integer(status == 2)))
pbc_td <- tmerge(pbc_td, pbcseq, id = id, lbili = tdc(day, log(bili)),
                 albumin = tdc(day, albumin))
pbc_td <- write_grouped(data.frame(tstart = pbc_td$tstart, tstop = pbc_td$tstop,
                                event = pbc_td$death, age = pbc_td$age,
                                lbili = pbc_td$lbili, albumin = pbc_td$albumin,
                                group = "all"), "concordance_pbcseq")

# pbcseq as our contract's patients file: "ascites first seen at a visit" plays the
# lesion: a time-dependent switch (analytics.stats.cox.models.time_dependent_cox) and a landmark.
asc_day <- tapply(ifelse(pbcseq$ascites == 1, pbcseq$day, NA), pbcseq$id,
                  function(x) if (all(is.na(x))) NA else min(x, na.rm = TRUE))
patients <- data.frame(patient_id = sprintf("pbcseq-%03d", first$id),
                       followup_months = first$futime,
                       failure = as.integer(first$status == 2),
                       failure_months = ifelse(first$status == 2, first$futime, NA),
                       age_at_rtx = first$age,
                       asymptomatic_lesions = as.integer(!is.na(asc_day[as.character(first$id)])),
                       asymptomatic_lesion_months = unname(asc_day[as.character(first$id)]),
                       group = "all")
stopifnot(all(is.na(patients$asymptomatic_lesion_months) |
                patients$asymptomatic_lesion_months < patients$followup_months))
patients <- write_grouped(patients, "concordance_pbcseq_patients")
base <- data.frame(id = seq_len(nrow(patients)), age_at_rtx = patients$age_at_rtx)
asc_cp <- tmerge(base, base, id = id,
                 death = event(patients$followup_months, patients$failure),
                 ascites = tdc(patients$asymptomatic_lesion_months))
landmark <- 730
stopifnot(!any(patients$followup_months == landmark),
          !any(patients$asymptomatic_lesion_months == landmark, na.rm = TRUE))
lm_df <- subset(patients, followup_months > landmark)
lm_df$ascites_by_landmark <- as.integer(!is.na(lm_df$asymptomatic_lesion_months) &
                                          lm_df$asymptomatic_lesion_months <= landmark)
lm_df$time_from_landmark <- lm_df$followup_months - landmark
# The same landmark model on the original time scale with delayed entry at the landmark:
# every row enters at 730, so its concordance must equal the time-from-landmark one.
lm_entry <- coxph(Surv(rep(landmark, nrow(lm_df)), followup_months, failure) ~
                    ascites_by_landmark + age_at_rtx, data = lm_df, ties = "efron")

concordance <- list(
  heart = cox_case(coxph(Surv(tstart, tstop, event) ~ age + transplant + surgery,
                         data = heart, ties = "efron"),
                   "coxph(Surv(start, stop, event) ~ age + transplant + surgery, heart)"),
  heart_transplant = cox_case(coxph(Surv(tstart, tstop, event) ~ transplant, data = heart,
                                    ties = "efron"),
                              "coxph(Surv(start, stop, event) ~ transplant, heart)"),
  cgd = cox_case(coxph(Surv(tstart, tstop, event) ~ treat + age + steroids, data = cgd,
                       ties = "efron"),
                 "coxph(Surv(tstart, tstop, status) ~ treat + age + steroids, cgd)"),
  cgd_treat = cox_case(coxph(Surv(tstart, tstop, event) ~ treat, data = cgd, ties = "efron"),
                       "coxph(Surv(tstart, tstop, status) ~ treat, cgd)"),
  pbcseq = cox_case(coxph(Surv(tstart, tstop, event) ~ lbili + albumin + age, data = pbc_td,
                          ties = "efron"),
                    paste("coxph(Surv(tstart, tstop, death) ~ log(bili) + albumin + age)",
                          "on tmerge(..., tdc(day, log(bili)), tdc(day, albumin))")),
  pbcseq_ascites_td = cox_case(coxph(Surv(tstart, tstop, death) ~ ascites + age_at_rtx,
                                     data = asc_cp, ties = "efron"),
                               paste("coxph(Surv(tstart, tstop, death) ~ ascites + age)",
                                     "on tmerge(..., ascites = tdc(first ascites day))")),
  pbcseq_ascites_landmark = cox_case(coxph(Surv(time_from_landmark, failure) ~
                                             ascites_by_landmark + age_at_rtx,
                                           data = lm_df, ties = "efron"),
                                     paste("coxph(Surv(futime - 730, death) ~",
                                           "(ascites day <= 730) + age, subset = futime > 730)")),
  pbcseq_ascites_landmark_entry = cox_case(lm_entry, paste(
    "coxph(Surv(730, futime, death) ~ (ascites day <= 730) + age, subset = futime > 730)"))
)

write_json(list(
  meta = meta(mass = TRUE),
  landmark = landmark,
  landmark_n = nrow(lm_df),
  logrank = logrank,
  concordance = concordance
), "logrank_concordance")
