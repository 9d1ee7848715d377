# Reference fixtures for the "open" analyses (any exposure, Table 1 by any grouping,
# MANCOVA of any columns): tests/reference/test_open_analyses_vs_r.py.
#
# Run from the repository root:
#     Rscript tests/reference/make_open_analyses_reference.R
# Needs R >= 4.0 with survival (>= 3.0; committed fixtures made with 3.5.3) and MASS
# (data sets only). jsonlite is not needed (tests/reference/fixture_helpers.R).
#
# Writes, under tests/data/reference/:
#   open_mgus2.csv      survival::mgus2 in our cohort contract: death is the failure,
#                       progression (pstat, ptime) the time-varying exposure; hgb and
#                       creat have missing values; times are whole months (many ties)
#   open_birthwt.csv    MASS::birthwt (race: 3 groups)
#   open_survey.csv     MASS::survey (Exer: 3 groups; missing values in several columns)
#   open_warpbreaks.csv datasets::warpbreaks (tension: 3 groups; tied counts)
#   open_cars93.csv     MASS::Cars93 (DriveTrain: 3 levels; Luggage.room missing for 11)
#   open_analyses.json  R's results on exactly those CSVs' rows
# CI has no R: the tests read the committed files only.

suppressPackageStartupMessages({
  library(survival)
  library(MASS)
})

source(file.path("tests", "reference", "fixture_helpers.R"))

cox_record <- function(fit, call_text, exposure_name, r_exposure) {
  s <- summary(fit)
  co <- s$coefficients
  ci <- s$conf.int
  names_ours <- our_term_names(fit)
  names_ours[names_ours == r_exposure] <- exposure_name
  terms <- lapply(seq_len(nrow(co)), function(i) {
    list(term = names_ours[i], coef = co[i, "coef"], se = co[i, "se(coef)"],
         hr = co[i, "exp(coef)"], ci_low = ci[i, "lower .95"],
         ci_high = ci[i, "upper .95"], p = co[i, "Pr(>|z|)"])
  })
  lr_df <- sum(!is.na(coef(fit)))
  lr <- 2 * (fit$loglik[2] - fit$loglik[1])
  list(call = call_text, n = fit$n, events = fit$nevent, terms = terms,
       loglik_null = fit$loglik[1], loglik = fit$loglik[2], lr_chisq = lr, lr_df = lr_df,
       lr_p = pchisq(lr, lr_df, lower.tail = FALSE), n_dropped = length(fit$na.action))
}

# ===========================================================================
# 1. Time-varying exposure: progression to myeloma/plasma-cell malignancy
#    (pstat, ptime) and death (futime, death) in survival::mgus2.
#    tdc(ptime) at or after the death/censoring time adds no exposed interval
#    (9 patients progress in their last month): they count as unexposed, as in
#    analytics (a switch at the end of follow-up is no switch).
# ===========================================================================
m <- survival::mgus2
mgus <- data.frame(
  patient_id = sprintf("mgus-%04d", m$id),
  followup_months = m$futime,
  failure = m$death,
  failure_months = ifelse(m$death == 1, m$futime, NA),
  sex = as.character(m$sex),
  age_at_rtx = m$age,
  hgb = m$hgb,
  creat = m$creat,
  progression = m$pstat,
  progression_months = ifelse(m$pstat == 1, m$ptime, NA)
)
mgus <- write_data(mgus, "open_mgus2")
mgus$id <- seq_len(nrow(mgus))
base <- mgus[, c("id", "age_at_rtx", "sex", "hgb", "creat")]
cp <- tmerge(base, base, id = id,
             death = event(mgus$followup_months, mgus$failure),
             progression = tdc(mgus$progression_months))
td <- coxph(Surv(tstart, tstop, death) ~ progression, data = cp, ties = "efron")
td_adj <- coxph(Surv(tstart, tstop, death) ~ progression + age_at_rtx + sex + hgb + creat,
                data = cp, ties = "efron")
naive <- coxph(Surv(followup_months, failure) ~ progression, data = mgus, ties = "efron")
naive_adj <- coxph(Surv(followup_months, failure) ~ progression + age_at_rtx + sex + hgb +
                     creat, data = mgus, ties = "efron")
landmark <- 60
lm_df <- subset(mgus, followup_months > landmark)
lm_df$progression_by_landmark <- as.integer(!is.na(lm_df$progression_months) &
                                              lm_df$progression_months <= landmark)
lm_df$time_from_landmark <- lm_df$followup_months - landmark
lm <- coxph(Surv(time_from_landmark, failure) ~ progression_by_landmark, data = lm_df,
            ties = "efron")
lm_adj <- coxph(Surv(time_from_landmark, failure) ~ progression_by_landmark + age_at_rtx +
                  sex + hgb + creat, data = lm_df, ties = "efron")
# Patients with complete covariates (what analytics reports as n of the adjusted models).
complete <- complete.cases(mgus[, c("age_at_rtx", "sex", "hgb", "creat")])
exposure <- list(
  data = "survival::mgus2: failure = death, exposure = progression (pstat, ptime)",
  n_patients = nrow(mgus),
  n_complete = sum(complete),
  n_intervals = nrow(cp),
  landmark_months = landmark,
  landmark_n = nrow(lm_df),
  landmark_n_complete = sum(complete.cases(lm_df[, c("age_at_rtx", "sex", "hgb", "creat")])),
  naive = cox_record(naive, "coxph(Surv(futime, death) ~ pstat)", "progression",
                     "progression"),
  naive_adjusted = cox_record(naive_adj, "coxph(Surv(futime, death) ~ pstat + covs)",
                              "progression", "progression"),
  time_dependent = cox_record(td, paste("coxph(Surv(tstart, tstop, death) ~ progression)",
                                        "on tmerge(..., progression = tdc(ptime))"),
                              "progression", "progression"),
  time_dependent_adjusted = cox_record(td_adj, paste(
    "coxph(Surv(tstart, tstop, death) ~ progression + age + sex + hgb + creat)"),
    "progression", "progression"),
  landmark = cox_record(lm, "coxph(Surv(futime - 60, death) ~ (ptime <= 60), futime > 60)",
                        "progression", "progression_by_landmark"),
  landmark_adjusted = cox_record(lm_adj, paste(
    "coxph(Surv(futime - 60, death) ~ (ptime <= 60) + age + sex + hgb + creat,",
    "subset = futime > 60)"), "progression", "progression_by_landmark")
)

# ===========================================================================
# 2. Table 1 by a grouping of k >= 2 levels: every variable's Kruskal-Wallis,
#    Wilcoxon, Pearson chi-square and Fisher(-Freeman-Halton) p, whichever applies.
#    Missing values are left out of each test, as analytics does.
# ===========================================================================
table_one_record <- function(df, by, numeric_vars, categorical_vars) {
  g <- df[[by]]
  rows <- list()
  for (v in numeric_vars) {
    ok <- !is.na(df[[v]]) & !is.na(g)
    x <- df[[v]][ok]
    gg <- factor(g[ok])
    kw <- kruskal.test(x ~ gg)
    rec <- list(kind = "numeric", n = sum(ok), kruskal_p = kw$p.value,
                kruskal_statistic = unname(kw$statistic))
    if (nlevels(gg) == 2) {
      rec$wilcox_p <- wilcox.test(x ~ gg, exact = FALSE, correct = TRUE)$p.value
    }
    rows[[v]] <- rec
  }
  for (v in categorical_vars) {
    ok <- !is.na(df[[v]]) & !is.na(g)
    tab <- table(factor(g[ok]), factor(df[[v]][ok]))
    tab <- tab[rowSums(tab) > 0, colSums(tab) > 0, drop = FALSE]
    chi <- suppressWarnings(chisq.test(tab, correct = FALSE))
    fisher <- tryCatch(fisher.test(tab, workspace = 2e8)$p.value,
                       error = function(e) NA)
    rows[[v]] <- list(kind = "categorical", n = sum(ok), rows = nrow(tab), cols = ncol(tab),
                      table = arr(as.vector(t(tab))), chisq_p = chi$p.value,
                      chisq_statistic = unname(chi$statistic),
                      min_expected = min(chi$expected), fisher_p = fisher)
  }
  list(by = by, levels = arr(sort(unique(as.character(g[!is.na(g)])))), rows = rows)
}

bw <- birthwt
bw_df <- data.frame(race = c("white", "black", "other")[bw$race], age = bw$age, lwt = bw$lwt,
                    bwt = bw$bwt, smoke = bw$smoke, ht = bw$ht, ui = bw$ui,
                    ptl = bw$ptl, ftv = bw$ftv, low = bw$low)
bw_df <- write_data(bw_df, "open_birthwt")

sv <- survey
# Exer's level "None" would read as missing in pandas (and as None in our reader): "No".
exer <- as.character(sv$Exer)
exer[!is.na(exer) & exer == "None"] <- "No"
sv_df <- data.frame(sex = as.character(sv$Sex), exer = exer,
                    smoke = as.character(sv$Smoke), clap = as.character(sv$Clap),
                    w_hnd = as.character(sv$W.Hnd), pulse = sv$Pulse, height = sv$Height,
                    age = sv$Age)
sv_df <- write_data(sv_df, "open_survey")

wb_df <- write_data(data.frame(breaks = warpbreaks$breaks,
                               wool = as.character(warpbreaks$wool),
                               tension = as.character(warpbreaks$tension)),
                    "open_warpbreaks")

tables <- list(
  birthwt_race = table_one_record(bw_df, "race", c("age", "lwt", "bwt"),
                                  c("smoke", "ht", "ui", "ptl", "ftv", "low")),
  birthwt_smoke = table_one_record(bw_df, "smoke", c("age", "lwt", "bwt"),
                                   c("race", "ht", "ptl")),
  survey_exer = table_one_record(sv_df, "exer", c("pulse", "height", "age"),
                                 c("sex", "smoke", "clap", "w_hnd")),
  survey_smoke = table_one_record(sv_df, "smoke", c("pulse", "age"),
                                  c("sex", "exer", "clap")),
  warpbreaks_tension = table_one_record(wb_df, "tension", c("breaks"), c("wool"))
)

# ===========================================================================
# 3. MANCOVA of chosen columns: each term entered last in R's sequential
#    summary.manova equals our type III test of that term.
# ===========================================================================
manova_tests <- function(df, dependent, factor_name, covariates) {
  rhs_terms <- c(covariates, factor_name)
  out <- list()
  for (term in rhs_terms) {
    ordered <- c(setdiff(rhs_terms, term), term)
    f <- as.formula(paste0("cbind(", paste(dependent, collapse = ", "), ") ~ ",
                           paste(ordered, collapse = " + ")))
    fit <- manova(f, data = df)
    one <- list()
    for (test in c("Wilks", "Pillai")) {
      st <- summary(fit, test = test)$stats
      one[[test]] <- list(value = st[term, test], approx_f = st[term, "approx F"],
                          num_df = st[term, "num Df"], den_df = st[term, "den Df"],
                          p = st[term, "Pr(>F)"])
    }
    out[[term]] <- one
  }
  used <- complete.cases(df[, c(dependent, factor_name, covariates)])
  list(dependent = arr(dependent), factor = factor_name, covariates = arr(covariates),
       n = sum(used), n_dropped = sum(!used), tests = out)
}

cars <- Cars93
cars_df <- data.frame(mpg_city = cars$MPG.city, mpg_highway = cars$MPG.highway,
                      horsepower = cars$Horsepower, drive_train = as.character(cars$DriveTrain),
                      origin = as.character(cars$Origin), weight = cars$Weight,
                      luggage_room = cars$Luggage.room)
cars_df <- write_data(cars_df, "open_cars93")
cars_df$drive_train <- factor(cars_df$drive_train)
cars_df$origin <- factor(cars_df$origin)
bw_df$race <- factor(bw_df$race)
mancovas <- list(
  cars93_drive_train = manova_tests(cars_df, c("mpg_city", "mpg_highway", "horsepower"),
                                    "drive_train", c("weight", "luggage_room")),
  cars93_origin = manova_tests(cars_df, c("mpg_city", "mpg_highway"), "origin",
                               c("weight", "drive_train")),
  birthwt_race = manova_tests(bw_df, c("bwt", "lwt"), "race", c("age", "smoke"))
)

write_json(list(
  meta = meta(mass = TRUE),
  exposure = exposure,
  table_one = tables,
  mancova = mancovas
), "open_analyses")
