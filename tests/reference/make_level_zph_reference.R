# Reference fixtures for the confidence level (90/95/99 %), the cox.zph time transforms and
# conditional survival at other levels: tests/reference/test_level_zph_vs_r.py.
#
# Run from the repository root:
#     Rscript tests/reference/make_level_zph_reference.R
# Needs R >= 4.0 with survival (>= 3.0; committed fixtures made with 3.5.3) and MASS.
# Data sets not used by the other reference scripts: survival::pbc, survival::colon,
# survival::cgd, survival::rats, MASS::VA, MASS::Melanoma, MASS::epil.
#
# Writes, under tests/data/reference/:
#   level_pbc.csv, level_melanoma.csv, level_rats.csv, level_cgd.csv, level_va.csv,
#   level_colon.csv, level_epil.csv    the data sets (survival ones in our contract's form)
#   level_zph.json                     every R result below
# CI has no R: the tests read the committed files only.

suppressPackageStartupMessages({
  library(survival)
  library(MASS)
})

source(file.path("tests", "reference", "fixture_helpers.R"))

LEVELS <- c(0.90, 0.99)

level_key <- function(level) sprintf("%02d", round(100 * level))   # "90", "99"

# ---------------------------------------------------------------------------
# Extractors
# ---------------------------------------------------------------------------
# Kaplan-Meier, log-log CI at conf.int = level; median and its CI from summary()$table.
km_record <- function(fit, level) {
  lcl <- sprintf("%sLCL", format(level))
  ucl <- sprintf("%sUCL", format(level))
  km_by_stratum(fit, function(f, tab_row) {
    list(time = arr(f$time), surv = arr(f$surv), lower = arr(f$lower),
         upper = arr(f$upper), median = unname(tab_row["median"]),
         median_lower = unname(tab_row[lcl]), median_upper = unname(tab_row[ucl]))
  })
}

# Wald CIs: confint(fit, level = level), exponentiated.
cox_record <- function(fit, level) {
  ci <- exp(confint(fit, level = level))
  names_ours <- our_term_names(fit)
  lapply(seq_along(names_ours), function(i) {
    list(term = names_ours[i], hr = unname(exp(coef(fit))[i]), ci_low = unname(ci[i, 1]),
         ci_high = unname(ci[i, 2]))
  })
}

exact_record <- function(events, n, person_years, level) {
  b <- binom.test(events, n, conf.level = level)$conf.int
  p <- poisson.test(events, T = person_years, conf.level = level)$conf.int
  list(events = events, n = n, person_years = person_years,
       binom_low = b[1], binom_high = b[2], poisson_low = p[1], poisson_high = p[2])
}

# ===========================================================================
# 1. pbc (Mayo primary biliary cholangitis trial, the 312 randomised patients; days).
#    Event: death (status 2); transplant (1) and alive (0) censored. arm = trt as text.
#    The report-level check: build_report(..., conf_level) on this file, grace 0.
# ===========================================================================
p <- pbc[!is.na(pbc$trt), ]
pbc_df <- contract_outcome("pbc", p$time, p$status == 2, id_digits = 4)
pbc_df$sex <- ifelse(p$sex == "f", "F", "M")
pbc_df$age_at_rtx <- round(p$age, 2)
pbc_df$arm <- ifelse(p$trt == 1, "Dpen", "placebo")
pbc_df <- write_data(pbc_df, "level_pbc")

pbc_results <- list()
for (level in LEVELS) {
  km <- survfit(Surv(followup_months, failure) ~ arm, data = pbc_df, conf.type = "log-log",
                conf.int = level)
  follow <- survfit(Surv(followup_months, 1 - failure) ~ 1, data = pbc_df,
                    conf.type = "log-log", conf.int = level)
  ftab <- summary(follow)$table
  cox <- coxph(Surv(followup_months, failure) ~ age_at_rtx + arm, data = pbc_df,
               ties = "efron")
  uni <- coxph(Surv(followup_months, failure) ~ age_at_rtx, data = pbc_df, ties = "efron")
  subgroups <- lapply(c("F", "M"), function(s) {
    rows <- pbc_df[pbc_df$sex == s, ]
    b <- binom.test(sum(rows$failure), nrow(rows), conf.level = level)$conf.int
    list(variable = "sex", level = s, low = b[1], high = b[2])
  })
  pbc_results[[level_key(level)]] <- list(
    conf_level = level,
    km = km_record(km, level),
    median_followup = list(median = unname(ftab["median"]),
                           ci_low = unname(ftab[sprintf("%sLCL", format(level))]),
                           ci_high = unname(ftab[sprintf("%sUCL", format(level))])),
    cox = cox_record(cox, level),
    univariable_age = cox_record(uni, level),
    # person-years as the report counts them: months / 12 (times here are days, unit-free).
    exact = exact_record(sum(pbc_df$failure), nrow(pbc_df),
                         sum(pbc_df$followup_months) / 12, level),
    subgroups = subgroups
  )
}

# ===========================================================================
# 2. MASS::Melanoma (205 patients, days; tied times): death from melanoma (status 1).
#    Cox with three covariates, Wald CIs at 90 and 99 %.
# ===========================================================================
mel_df <- contract_outcome("mel", Melanoma$time, Melanoma$status == 1, id_digits = 4)
mel_df$sex <- ifelse(Melanoma$sex == 1, "M", "F")
mel_df$thickness <- Melanoma$thickness
mel_df$ulcer <- Melanoma$ulcer
mel_df <- write_data(mel_df, "level_melanoma")
mel_fit <- coxph(Surv(followup_months, failure) ~ sex + thickness + ulcer, data = mel_df,
                 ties = "efron")
mel_results <- setNames(lapply(LEVELS, function(level) cox_record(mel_fit, level)),
                        vapply(LEVELS, level_key, ""))

# ===========================================================================
# 3. Firth-penalized Cox with profile penalized-likelihood CIs at 90 and 99 %, from first
#    principles as make_reference.R (coxphf is not installable): lp(b) = l(b) +
#    0.5 log det I(b), l and I by coxph(init = b, iter.max = 0) with Breslow ties, coxphf's
#    (and analytics.stats.cox.firth's) only option. survival::rats, the 150 female rats (tied
#    times), univariable rx.
# ===========================================================================
penalized_loglik <- function(b, formula, data) {
  fit <- tryCatch(suppressWarnings(coxph(formula, data = data, init = b, ties = "breslow",
                                         control = coxph.control(iter.max = 0))),
                  error = function(e) NULL)
  if (is.null(fit)) return(-Inf)
  log_det_var <- determinant(as.matrix(fit$var), logarithm = TRUE)$modulus
  if (!is.finite(log_det_var)) return(-Inf)
  fit$loglik[2] - 0.5 * as.numeric(log_det_var)
}

firth_univariable <- function(formula, data, level) {
  lp <- function(b) penalized_loglik(b, formula, data)
  opt <- optimize(function(x) -lp(x), c(-10, 10), tol = 1e-12)
  b_hat <- opt$minimum
  lp_hat <- -opt$objective
  crit <- qchisq(level, 1)
  limit <- function(direction) {
    g <- function(v) 2 * (lp_hat - lp(v)) - crit
    step <- 0.5
    while (g(b_hat + direction * step) < 0) step <- step * 2
    uniroot(g, sort(c(b_hat, b_hat + direction * step)), tol = 1e-12)$root
  }
  list(coef = b_hat, hr = exp(b_hat), ci_low = exp(limit(-1)), ci_high = exp(limit(+1)))
}

r <- rats[rats$sex == "f", ]
rats_df <- contract_outcome("rat", r$time, r$status == 1, id_digits = 4)
rats_df$rx <- r$rx
rats_df <- write_data(rats_df, "level_rats")
firth_results <- setNames(
  lapply(LEVELS, function(level) {
    firth_univariable(Surv(followup_months, failure) ~ rx, rats_df, level)
  }),
  vapply(LEVELS, level_key, ""))

# ===========================================================================
# 4. cox.zph with transform = "km", "rank", "identity" (tied times, 2+ covariates).
#    survival::cgd, time to first serious infection (enum == 1; tstop, days) ~ treat +
#    sex + age; MASS::VA (veterans' lung cancer, its own coding) ~ treat + age + Karn +
#    cell (a factor: one 3-df term).
# ===========================================================================
g <- cgd[cgd$enum == 1, ]
cgd_df <- contract_outcome("cgd", g$tstop, g$status == 1, id_digits = 4)
cgd_df$treat <- as.character(g$treat)
cgd_df$sex <- ifelse(g$sex == "female", "F", "M")
cgd_df$age_at_rtx <- g$age
cgd_df <- write_data(cgd_df, "level_cgd")
stopifnot(anyDuplicated(cgd_df$followup_months[cgd_df$failure == 1]) > 0)   # tied times
cgd_fit <- coxph(Surv(followup_months, failure) ~ treat + sex + age_at_rtx, data = cgd_df,
                 ties = "efron")

va_df <- contract_outcome("va", VA$stime, VA$status == 1, id_digits = 4)
va_df$treat <- VA$treat
va_df$age_at_rtx <- VA$age
va_df$karn <- VA$Karn
va_df$cell <- paste0("c", VA$cell)
va_df <- write_data(va_df, "level_va")
stopifnot(anyDuplicated(va_df$followup_months[va_df$failure == 1]) > 0)
va_fit <- coxph(Surv(followup_months, failure) ~ treat + age_at_rtx + karn + cell,
                data = va_df, ties = "efron")

zph_results <- list()
for (transform in c("km", "rank", "identity")) {
  zph_results[[transform]] <- list(cgd = zph_rows(cox.zph(cgd_fit, transform = transform)),
                                   va = zph_rows(cox.zph(va_fit, transform = transform)))
}

# ===========================================================================
# 5. Conditional survival S(X + Y) / S(X) at 90 and 99 %: survfit(start.time = X),
#    summary(times = X + Y). survival::colon, recurrence (etype 1; days), per rx and
#    overall. X carries no failure (start.time keeps time >= X; ours is time > X).
# ===========================================================================
c1 <- colon[colon$etype == 1, ]
colon_df <- contract_outcome("col", c1$time, c1$status == 1, id_digits = 4)
colon_df$rx <- as.character(c1$rx)
colon_df <- write_data(colon_df, "level_colon")
X <- 400
Y <- 730
stopifnot(!any(colon_df$failure == 1 & colon_df$followup_months == X))

conditional_record <- function(d, level, group = NULL) {
  one <- function(rows) {
    fit <- survfit(Surv(followup_months, failure) ~ 1, data = rows, conf.type = "log-log",
                   start.time = X, conf.int = level)
    s <- summary(fit, times = X + Y)
    list(n_risk_at_start = sum(rows$followup_months > X), surv = s$surv, lower = s$lower,
         upper = s$upper)
  }
  if (is.null(group)) return(list(All = one(d)))
  levels <- sort(unique(d[[group]]))
  setNames(lapply(levels, function(v) one(d[d[[group]] == v, ])), as.character(levels))
}
conditional_results <- list(given = X, ahead = Y)
for (level in LEVELS) {
  conditional_results[[level_key(level)]] <- list(
    all = conditional_record(colon_df, level),
    rx = conditional_record(colon_df, level, "rx"))
}

# ===========================================================================
# 6. Relapse rate ratios at 90 and 99 %: Wald limits, confint.default(fit, level), of
#    glm.nb and Poisson glm with a log person-years offset. MASS::epil, the fourth 2-week
#    period (59 patients): seizures ~ trt + lbase + lage, years = 2 / 52.
# ===========================================================================
e <- MASS::epil[MASS::epil$period == 4, ]
epil_df <- write_data(data.frame(
  patient_id = sprintf("ep-%03d", e$subject), seizures = e$y, years = 2 / 52,
  trt = as.character(e$trt), lbase = e$lbase, lage = e$lage
), "level_epil")
tight <- glm.control(epsilon = 1e-13, maxit = 200)
epil_formula <- seizures ~ trt + lbase + lage + offset(log(years))
rate_record <- function(fit) {
  out <- list(r_names = arr(names(coef(fit))), coef = arr(unname(coef(fit))))
  for (level in LEVELS) {
    ci <- confint.default(fit, level = level)
    out[[level_key(level)]] <- list(ci_low = arr(unname(ci[, 1])), ci_high = arr(unname(ci[, 2])))
  }
  out
}
rate_results <- list(
  negative_binomial = rate_record(glm.nb(epil_formula, data = epil_df, control = tight)),
  poisson = rate_record(glm(epil_formula, family = poisson, data = epil_df, control = tight))
)

write_json(list(
  meta = meta(mass = TRUE),
  pbc = pbc_results,
  melanoma = mel_results,
  firth_rats = firth_results,
  zph = zph_results,
  conditional_colon = conditional_results,
  rate_ratios_epil = rate_results
), "level_zph")
