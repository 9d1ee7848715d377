# Reference fixtures: R's answers on public data sets, for tests/reference/*.py.
#
# Run from the repository root:
#     Rscript tests/reference/make_reference.R
# Needs R >= 4.0 with survival (>= 3.0; the committed fixtures were made with 3.5.3)
# and car (for the type III MANOVA of the intercept). MASS is not needed.
# jsonlite is NOT needed: JSON is written by tests/reference/fixture_helpers.R, so the script
# runs on a bare r-base-core + r-cran-survival + r-cran-car.
#
# For every data set it writes
#     tests/data/reference/<name>.csv   the data in our data contract's columns
#                                       (patient_id, followup_months, failure,
#                                       failure_months, sex F/M, age_at_rtx, ...; extra
#                                       covariates as snake_case columns). Times keep
#                                       the data set's own unit (days), although the
#                                       column names say "months": every statistic here
#                                       is invariant to the time unit except the KM
#                                       time axis itself, which is compared as is.
#     tests/data/reference/<name>.json  R's results on exactly that CSV's rows.
# CI has no R: the tests read the committed files only. Re-run this script and
# commit its output whenever it changes.

suppressPackageStartupMessages({
  library(survival)
  library(car)
})

source(file.path("tests", "reference", "fixture_helpers.R"))

# ---------------------------------------------------------------------------
# Extractors: one R object -> one plain list for JSON.
# ---------------------------------------------------------------------------

# Kaplan-Meier with Greenwood variance and the log(-log) CI, as the app states.
# std_err is survfit's $std.err, the standard error of the cumulative hazard
# (= se(log S)), not of S.
km_record <- function(fit) {
  km_by_stratum(fit, function(f, tab_row) {
    list(time = arr(f$time), n_risk = arr(f$n.risk), n_event = arr(f$n.event),
         n_censor = arr(f$n.censor), surv = arr(f$surv), std_err = arr(f$std.err),
         lower = arr(f$lower), upper = arr(f$upper),
         n = unname(tab_row["records"]), events = unname(tab_row["events"]),
         median = unname(tab_row["median"]),
         median_lower = unname(tab_row["0.95LCL"]),
         median_upper = unname(tab_row["0.95UCL"]))
  })
}

survdiff_record <- function(sd) {
  df <- sum(sd$n > 0) - 1
  labels <- sub("^[^=]*=", "", names(sd$n))
  list(chisq = sd$chisq, df = df, p = pchisq(sd$chisq, df, lower.tail = FALSE),
       groups = arr(labels), n = arr(as.vector(sd$n)), observed = arr(sd$obs),
       expected = arr(sd$exp))
}

cox_record <- function(fit, call_text) {
  s <- summary(fit)
  co <- s$coefficients
  ci <- s$conf.int
  names_ours <- our_term_names(fit)
  stopifnot(length(names_ours) == nrow(co))
  terms <- lapply(seq_len(nrow(co)), function(i) {
    list(term = names_ours[i], r_name = rownames(co)[i], coef = co[i, "coef"],
         se = co[i, "se(coef)"], hr = co[i, "exp(coef)"], ci_low = ci[i, "lower .95"],
         ci_high = ci[i, "upper .95"], z = co[i, "z"], p = co[i, "Pr(>|z|)"])
  })
  lr_df <- sum(!is.na(coef(fit)))
  lr <- 2 * (fit$loglik[2] - fit$loglik[1])
  list(call = call_text, ties = fit$method, n = fit$n, events = fit$nevent,
       terms = terms, loglik_null = fit$loglik[1], loglik = fit$loglik[2],
       lr_chisq = lr, lr_df = lr_df, lr_p = pchisq(lr, lr_df, lower.tail = FALSE),
       concordance = unname(fit$concordance["concordance"]),
       concordance_se = unname(sqrt(fit$concordance["var"])),
       score_chisq = unname(fit$score))
}

zph_record <- function(zph, call_text) {
  list(call = call_text, transform = zph$transform, rows = zph_rows(zph))
}

# ===========================================================================
# 1. lung (NCCTG advanced lung cancer): 228 patients, times in days.
#    status 2 = dead; sex 1 = male, 2 = female.
# ===========================================================================
lung_df <- cbind(
  contract_outcome("lung", survival::lung$time, survival::lung$status == 2),
  data.frame(
    sex = ifelse(survival::lung$sex == 1, "M", "F"),
    age_at_rtx = survival::lung$age,
    ph_ecog = survival::lung$ph.ecog,
    ph_karno = survival::lung$ph.karno,
    pat_karno = survival::lung$pat.karno,
    meal_cal = survival::lung$meal.cal,
    wt_loss = survival::lung$wt.loss,
    inst = survival::lung$inst
  )
)
lung_df <- write_data(lung_df, "lung")

# R models are fitted on the contract frame itself, so the fixtures describe the CSV.
lung_r <- lung_df
lung_r$sex <- factor(lung_r$sex, levels = c("F", "M"))   # reference F, as our API
lung_r$ph_ecog <- factor(lung_r$ph_ecog)                 # reference 0 (one NA row)
lung_surv <- with(lung_r, Surv(followup_months, failure))

lung_cox_multi <- coxph(Surv(followup_months, failure) ~ age_at_rtx + sex + ph_ecog,
                        data = lung_r, ties = "efron")
write_json(list(
  meta = meta("lung from survival; time in days; failure = status == 2; sex 1 = M, 2 = F."),
  km_all = km_record(survfit(lung_surv ~ 1, data = lung_r, conf.type = "log-log")),
  km_sex = km_record(survfit(lung_surv ~ sex, data = lung_r, conf.type = "log-log")),
  logrank_sex = survdiff_record(survdiff(lung_surv ~ sex, data = lung_r)),
  # ph.ecog has 4 groups (0, 1, 2, 3; group 3 is a single patient) and one NA row,
  # which survdiff drops.
  logrank_ph_ecog = survdiff_record(survdiff(lung_surv ~ ph_ecog, data = lung_r)),
  cox_age = cox_record(coxph(Surv(followup_months, failure) ~ age_at_rtx, data = lung_r,
                             ties = "efron"),
                       "coxph(Surv(followup_months, failure) ~ age_at_rtx, ties = 'efron')"),
  cox_sex = cox_record(coxph(Surv(followup_months, failure) ~ sex, data = lung_r,
                             ties = "efron"),
                       "coxph(Surv(followup_months, failure) ~ sex, ties = 'efron')"),
  cox_multi = cox_record(lung_cox_multi,
                         "coxph(Surv(followup_months, failure) ~ age_at_rtx + sex + factor(ph_ecog))"),
  zph_multi = zph_record(cox.zph(lung_cox_multi, transform = "km"),
                         "cox.zph(cox_multi, transform = 'km')")
), "lung")

# ===========================================================================
# 2. veteran (VA lung cancer trial): 137 patients, days. celltype has 4 levels;
#    we state reference "large" (not R's default first level, not the first sorted
#    level "adeno") to exercise our `categorical` mapping. karno violates PH.
# ===========================================================================
vet <- survival::veteran
veteran_df <- cbind(
  contract_outcome("vet", vet$time, vet$status == 1),
  data.frame(age_at_rtx = vet$age, trt = vet$trt, celltype = as.character(vet$celltype),
             karno = vet$karno, diagtime = vet$diagtime, prior = vet$prior)
)
veteran_df <- write_data(veteran_df, "veteran")
vet_r <- veteran_df
vet_r$celltype <- relevel(factor(vet_r$celltype), ref = "large")
vet_cox <- coxph(Surv(followup_months, failure) ~ trt + celltype + karno, data = vet_r,
                 ties = "efron")
write_json(list(
  meta = meta("veteran from survival; time in days; celltype reference level 'large'."),
  km_trt = km_record(survfit(Surv(followup_months, failure) ~ trt, data = vet_r,
                             conf.type = "log-log")),
  logrank_celltype = survdiff_record(survdiff(Surv(followup_months, failure) ~ celltype,
                                              data = vet_r)),
  cox = cox_record(vet_cox, paste("coxph(Surv(followup_months, failure) ~ trt +",
                                  "relevel(celltype, 'large') + karno, ties = 'efron')")),
  zph = zph_record(cox.zph(vet_cox, transform = "km"), "cox.zph(cox, transform = 'km')"),
  # cox.zph's other transforms, for the transform argument.
  zph_identity = zph_record(cox.zph(vet_cox, transform = "identity"),
                            "cox.zph(cox, transform = 'identity')"),
  zph_rank = zph_record(cox.zph(vet_cox, transform = "rank"),
                        "cox.zph(cox, transform = 'rank')"),
  zph_log = zph_record(cox.zph(vet_cox, transform = "log"),
                       "cox.zph(cox, transform = 'log')")
), "veteran")

# ===========================================================================
# 3. ovarian: n = 26, 12 deaths, days; small-sample case. rx 1/2 treatment arm.
# ===========================================================================
ov <- survival::ovarian
ovarian_df <- cbind(
  contract_outcome("ov", ov$futime, ov$fustat == 1),
  data.frame(age_at_rtx = ov$age, resid_ds = ov$resid.ds, rx = ov$rx, ecog_ps = ov$ecog.ps)
)
ovarian_df <- write_data(ovarian_df, "ovarian")
ov_cox <- coxph(Surv(followup_months, failure) ~ age_at_rtx + rx, data = ovarian_df,
                ties = "efron")
write_json(list(
  meta = meta("ovarian from survival; time in days; no tied event times."),
  km_all = km_record(survfit(Surv(followup_months, failure) ~ 1, data = ovarian_df,
                             conf.type = "log-log")),
  km_rx = km_record(survfit(Surv(followup_months, failure) ~ rx, data = ovarian_df,
                            conf.type = "log-log")),
  logrank_rx = survdiff_record(survdiff(Surv(followup_months, failure) ~ rx,
                                        data = ovarian_df)),
  cox_rx = cox_record(coxph(Surv(followup_months, failure) ~ rx, data = ovarian_df,
                            ties = "efron"),
                      "coxph(Surv(followup_months, failure) ~ rx, ties = 'efron')"),
  cox_age_rx = cox_record(ov_cox, "coxph(Surv(followup_months, failure) ~ age_at_rtx + rx)"),
  zph_age_rx = zph_record(cox.zph(ov_cox, transform = "km"),
                          "cox.zph(cox_age_rx, transform = 'km')")
), "ovarian")

# ===========================================================================
# 4. jasa (Stanford heart transplant): a time-dependent covariate.
#    Transplant plays the role of our asymptomatic lesion: it switches on at
#    wait.time days after acceptance, and a baseline model that treats it as known
#    from day 0 gives the transplanted patients immortal time.
#
#    Ties, as in the survival package's "timedep" vignette (the construction behind
#    the classic jasa1 / heart data):
#      - the patient who died on the day of acceptance (futime 0) gets futime 0.5,
#        because a survival time must be > 0;
#      - the patient transplanted on the day he died is taken to have been
#        transplanted half a day before death (txtime = wait.time - 0.5), so the
#        death counts as a post-transplant death, as jasa1 does;
#      - two patients transplanted on day 0 are transplanted from the start
#        (tdc at time 0: no untransplanted interval).
#    These adjusted times are what the CSV holds: followup_months = futime,
#    asymptomatic_lesion_months = txtime.
# ===========================================================================
jasa <- survival::jasa
futime <- pmax(0.5, as.numeric(jasa$fu.date - jasa$accept.dt))
wait <- as.numeric(jasa$tx.date - jasa$accept.dt)
txtime <- ifelse(!is.na(jasa$tx.date) & jasa$tx.date == jasa$fu.date, wait - 0.5, wait)
stopifnot(sum(!is.na(txtime) & txtime != wait) == 1, sum(futime == 0.5) == 1)
jasa_df <- cbind(
  contract_outcome("jasa", futime, jasa$fustat == 1),
  data.frame(age_at_rtx = jasa$age, surgery = jasa$surgery,
             asymptomatic_lesions = as.integer(!is.na(txtime)),
             asymptomatic_lesion_months = txtime)
)
jasa_df <- write_data(jasa_df, "jasa")

# Counting-process data: (tstart, tstop] intervals with transplant 0 then 1.
jasa_base <- data.frame(id = seq_len(nrow(jasa_df)), age_at_rtx = jasa_df$age_at_rtx,
                        surgery = jasa_df$surgery)
jasa_cp <- tmerge(jasa_base, jasa_base, id = id,
                  death = event(jasa_df$followup_months, jasa_df$failure),
                  transplant = tdc(jasa_df$asymptomatic_lesion_months))
stopifnot(nrow(jasa_cp) == 170)   # 103 patients + 67 post-transplant intervals
td_cox <- coxph(Surv(tstart, tstop, death) ~ transplant, data = jasa_cp, ties = "efron")
td_cox_adj <- coxph(Surv(tstart, tstop, death) ~ transplant + age_at_rtx + surgery,
                    data = jasa_cp, ties = "efron")
# The naive (immortal-time) model: transplant as if known at acceptance.
naive_cox <- coxph(Surv(followup_months, failure) ~ asymptomatic_lesions, data = jasa_df,
                   ties = "efron")

# Landmark at day 90 (no death, censoring or transplant falls exactly on day 90, so
# "at risk at 90" = followup > 90 and "switched on by 90" = txtime <= 90 are
# unambiguous). Time is measured from the landmark.
landmark <- 90
lm_df <- subset(jasa_df, followup_months > landmark)
lm_df$lesion_by_landmark <- as.integer(!is.na(lm_df$asymptomatic_lesion_months) &
                                         lm_df$asymptomatic_lesion_months <= landmark)
lm_df$time_from_landmark <- lm_df$followup_months - landmark
stopifnot(!any(jasa_df$followup_months == landmark),
          !any(jasa_df$asymptomatic_lesion_months == landmark, na.rm = TRUE))
lm_cox <- coxph(Surv(time_from_landmark, failure) ~ lesion_by_landmark, data = lm_df,
                ties = "efron")
lm_cox_adj <- coxph(Surv(time_from_landmark, failure) ~ lesion_by_landmark + age_at_rtx +
                      surgery, data = lm_df, ties = "efron")

write_json(list(
  meta = meta(paste("jasa from survival; days from acceptance; futime 0 -> 0.5 and",
                    "same-day transplant/death -> transplant 0.5 day earlier, as the",
                    "timedep vignette (jasa1).")),
  n_patients = nrow(jasa_df),
  n_intervals = nrow(jasa_cp),   # coxph's n for the counting-process fits
  time_dependent = cox_record(td_cox, paste("coxph(Surv(tstart, tstop, death) ~ transplant)",
                                            "on tmerge(..., transplant = tdc(txtime))")),
  time_dependent_adjusted = cox_record(td_cox_adj, paste(
    "coxph(Surv(tstart, tstop, death) ~ transplant + age_at_rtx + surgery)")),
  naive = cox_record(naive_cox, "coxph(Surv(futime, fustat) ~ asymptomatic_lesions)"),
  landmark_months = landmark,
  landmark_n = nrow(lm_df),
  landmark = cox_record(lm_cox, paste("coxph(Surv(futime - 90, fustat) ~ (txtime <= 90),",
                                      "subset = futime > 90)")),
  landmark_adjusted = cox_record(lm_cox_adj, paste(
    "coxph(Surv(futime - 90, fustat) ~ (txtime <= 90) + age_at_rtx + surgery,",
    "subset = futime > 90)"))
), "jasa")

# ===========================================================================
# 5. Firth's penalized Cox regression (Heinze & Schemper 2001), from first
#    principles because coxphf is not installable here:
#        lp(b) = l(b) + 0.5 * log det I(b)
#    with l and I the Efron partial log-likelihood and information, evaluated by
#    coxph(init = b, iter.max = 0). Profile-likelihood CI for term j: the b_j where
#    2 * (lp(b_hat) - max_{b_-j} lp(b_j, b_-j)) = qchisq(0.95, 1); penalized LR p:
#    the same statistic at b_j = 0.
#    coxphf handles ties by Breslow; both Firth data sets have no tied event times,
#    so Efron = Breslow and the numbers are the same either way.
# ===========================================================================
penalized_loglik <- function(b, formula, data) {
  fit <- tryCatch(suppressWarnings(coxph(formula, data = data, init = b, ties = "efron",
                                         control = coxph.control(iter.max = 0))),
                  error = function(e) NULL)   # exp(eta) overflow far from the optimum
  if (is.null(fit)) return(-Inf)
  # coxph returns var = solve(I); log det I = -log det var. Far out along a monotone
  # direction I(b) underflows to singular: the penalized likelihood is -Inf there.
  log_det_var <- determinant(as.matrix(fit$var), logarithm = TRUE)$modulus
  if (!is.finite(log_det_var)) return(-Inf)
  fit$loglik[2] - 0.5 * as.numeric(log_det_var)
}

# Central-difference gradient: step 1e-6 gives ~1e-10 accuracy on these smooth functions.
num_grad <- function(f, b, h = 1e-6) {
  vapply(seq_along(b), function(j) {
    e <- replace(numeric(length(b)), j, h)
    (f(b + e) - f(b - e)) / (2 * h)
  }, 0)
}

maximize <- function(f, start) {
  if (length(start) == 1) {
    opt <- optimize(function(x) -f(x), c(start - 10, start + 10), tol = 1e-12)
    return(list(par = opt$minimum, value = -opt$objective))
  }
  # BFGS needs finite values: a wall of 1e10 where lp is -Inf.
  neg <- function(b) {
    v <- f(b)
    if (is.finite(v)) -v else 1e10
  }
  opt <- optim(start, neg, function(b) -num_grad(f, b), method = "BFGS",
               control = list(reltol = 1e-15, maxit = 2000))
  stopifnot(opt$convergence == 0)
  list(par = opt$par, value = -opt$value)
}

firth_record <- function(formula, data, term_names) {
  lp <- function(b) penalized_loglik(b, formula, data)
  p <- length(term_names)
  fit <- maximize(lp, rep(0, p))
  b_hat <- fit$par
  lp_hat <- fit$value
  stopifnot(max(abs(num_grad(lp, b_hat))) < 1e-6)
  # Profile penalized log-likelihood with b_j fixed at v.
  profile <- function(j, v) {
    if (p == 1) return(lp(v))
    others <- function(b_rest) lp(append(b_rest, v, after = j - 1))
    maximize(others, b_hat[-j])$value
  }
  crit <- qchisq(0.95, 1)
  limit <- function(j, direction) {
    g <- function(v) 2 * (lp_hat - profile(j, v)) - crit
    step <- 0.5
    while (g(b_hat[j] + direction * step) < 0) step <- step * 2
    uniroot(g, sort(c(b_hat[j], b_hat[j] + direction * step)), tol = 1e-10)$root
  }
  lp_null <- lp(rep(0, p))
  terms <- lapply(seq_len(p), function(j) {
    lo <- limit(j, -1)
    hi <- limit(j, +1)
    lr <- 2 * (lp_hat - profile(j, 0))
    list(term = term_names[j], coef = b_hat[j], hr = exp(b_hat[j]), ci_low = exp(lo),
         ci_high = exp(hi), coef_ci_low = lo, coef_ci_high = hi, lr_chisq = lr,
         p = pchisq(lr, 1, lower.tail = FALSE))
  })
  list(call = paste(deparse(formula), collapse = " "), penalized_loglik = lp_hat,
       penalized_loglik_null = lp_null, lr_chisq = 2 * (lp_hat - lp_null), lr_df = p,
       terms = terms)
}

# 5a. A small cohort with separation: no failure among the 12 patients without
#     asymptomatic lesions, so the ordinary Cox estimate for asymptomatic_lesions is
#     infinite (monotone likelihood) while Firth's is finite. Hand-written, with
#     distinct times; age is unrelated to failure.
sep_df <- data.frame(
  patient_id = sprintf("sep-%03d", 1:24),
  followup_months = c(14, 31, 9, 52, 22, 40, 5, 61, 18, 27, 70, 36,
                      44, 58, 12, 66, 29, 48, 75, 20, 38, 55, 63, 33),
  failure = c(1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1,
              0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
  age_at_rtx = c(44, 37, 51, 29, 62, 45, 33, 58, 41, 49, 36, 55,
                 47, 31, 60, 39, 53, 42, 35, 57, 46, 50, 28, 43),
  asymptomatic_lesions = c(rep(1, 12), rep(0, 12))
)
sep_df$failure_months <- ifelse(sep_df$failure == 1, sep_df$followup_months, NA)
sep_df <- sep_df[, c("patient_id", "followup_months", "failure", "failure_months",
                     "age_at_rtx", "asymptomatic_lesions")]
stopifnot(!anyDuplicated(sep_df$followup_months))
sep_df <- write_data(sep_df, "firth_separation")
# Show the separation: the ordinary fit diverges (R warns "coefficient may be infinite").
ordinary <- suppressWarnings(coxph(Surv(followup_months, failure) ~ asymptomatic_lesions +
                                     age_at_rtx, data = sep_df))
stopifnot(coef(ordinary)[1] > 10)

# 5b. ovarian (no separation, distinct event times): Firth should be close to coxph.
write_json(list(
  meta = meta(paste("Firth penalized Cox computed from first principles (coxphf is not",
                    "installable): lp(b) = l(b) + 0.5 log det I(b), Efron l and I via",
                    "coxph(init = b, iter.max = 0); profile-likelihood CIs; penalized LR p.",
                    "No tied event times, so Breslow (coxphf) = Efron.")),
  separation_ordinary_coef = unname(coef(ordinary)),
  separation = firth_record(Surv(followup_months, failure) ~ asymptomatic_lesions +
                              age_at_rtx, sep_df, c("asymptomatic_lesions", "age_at_rtx")),
  separation_univariable = firth_record(Surv(followup_months, failure) ~
                                          asymptomatic_lesions, sep_df,
                                        "asymptomatic_lesions"),
  ovarian = firth_record(Surv(followup_months, failure) ~ age_at_rtx + rx, ovarian_df,
                         c("age_at_rtx", "rx"))
), "firth")

# ===========================================================================
# 6. MANCOVA. statsmodels' MANOVA.mv_test tests each term's coefficients = 0 in the
#    full model (L selects the term's columns, M = identity), i.e. type III with
#    treatment contrasts, Intercept included. R's summary.manova is sequential
#    (type I); for a main-effects model a term's type I test equals its type III
#    test when the term is entered last, so we fit one manova per term with that
#    term last, and cross-check every number against car::Manova(type = "III").
# ===========================================================================
manova_record <- function(data, responses, terms) {
  lhs <- paste0("cbind(", paste(responses, collapse = ", "), ")")
  full <- lm(as.formula(paste(lhs, "~", paste(terms, collapse = " + "))), data = data)
  car_fit <- car::Manova(full, type = "III")
  car_tests <- function(term, test) {
    # car's print method computes the 4 statistics from the eigenvalues of
    # SSPE^-1 SSPH with its internal Wilks/Pillai/HL/Roy; we do the same.
    tab <- car_fit$SSP[[term]]
    eig <- Re(eigen(qr.coef(qr(car_fit$SSPE), tab), symmetric = FALSE)$values)
    q <- car_fit$df[[term]]
    fun <- switch(test, Wilks = car:::Wilks, Pillai = car:::Pillai,
                  "Hotelling-Lawley" = car:::HL, Roy = car:::Roy)
    st <- fun(eig, q, car_fit$error.df)
    c(st, pf(st[2], st[3], st[4], lower.tail = FALSE))
  }
  out <- list()
  for (term in c("(Intercept)", terms)) {
    rec <- list()
    for (test in c("Wilks", "Pillai", "Hotelling-Lawley", "Roy")) {
      car_row <- car_tests(term, test)
      if (term != "(Intercept)") {
        ordered <- c(setdiff(terms, term), term)
        seq_fit <- manova(as.formula(paste(lhs, "~", paste(ordered, collapse = " + "))),
                          data = data)
        st <- summary(seq_fit, test = test)$stats
        row <- st[nrow(st) - 1, ]   # the last term, before "Residuals"
        stopifnot(isTRUE(all.equal(unname(row[2:6]), unname(car_row), tolerance = 1e-10)))
      }
      rec[[test]] <- list(value = car_row[1], approx_f = car_row[2], num_df = car_row[3],
                          den_df = car_row[4], p = car_row[5])
    }
    out[[if (term == "(Intercept)") "Intercept" else term]] <- rec
  }
  list(responses = arr(responses), terms = arr(terms), n = nrow(data), tests = out)
}

# iris: a 3-level factor (Species, reference setosa) and a continuous covariate.
iris_df <- data.frame(sepal_length = iris$Sepal.Length, petal_length = iris$Petal.Length,
                      sepal_width = iris$Sepal.Width, species = as.character(iris$Species))
iris_df <- write_data(iris_df, "iris")
# mtcars: a two-group factor plus a covariate, the shape of the source study's MANCOVA
# (one hypothesis df: Wilks' lambda = 1 - Pillai's trace).
mtcars_df <- data.frame(car_id = rownames(mtcars), mpg = mtcars$mpg, qsec = mtcars$qsec,
                        hp = mtcars$hp, am = mtcars$am, wt = mtcars$wt)
mtcars_df <- write_data(mtcars_df, "mtcars")

write_json(list(
  meta = meta(paste("MANCOVA: type III tests (each term last), as statsmodels",
                    "MANOVA.mv_test; value, approx F, num df, den df, p per test.")),
  iris = manova_record(iris_df, c("sepal_length", "petal_length"),
                       c("species", "sepal_width")),
  mtcars = manova_record(mtcars_df, c("mpg", "qsec", "hp"), c("am", "wt"))
), "mancova")
