# Helpers shared by the make_*_reference.R scripts, which source this file first (run from
# the repository root): where fixtures go, the JSON writer, the CSV round trip and the few
# record builders that must read the same in every script.

out_dir <- file.path("tests", "data", "reference")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)

# ---------------------------------------------------------------------------
# JSON writer. jsonlite is not installed on the build machine, so the fixtures are written
# by this small writer: scalars as JSON scalars; wrap a vector in arr() to force an array
# even when it has length 1. NA, NaN and +-Inf become null. Numbers use %.17g, which
# round-trips an IEEE double exactly.
# ---------------------------------------------------------------------------

arr <- function(x) structure(list(values = x), class = "json_array")

json_string <- function(s) {
  s <- gsub("\\", "\\\\", s, fixed = TRUE)
  s <- gsub("\"", "\\\"", s, fixed = TRUE)
  paste0("\"", s, "\"")
}

json_atom <- function(v) {
  if (is.na(v) || (is.numeric(v) && !is.finite(v))) return("null")
  if (is.logical(v)) return(if (v) "true" else "false")
  if (is.character(v) || is.factor(v)) return(json_string(as.character(v)))
  sprintf("%.17g", as.double(v))
}

to_json <- function(x, indent = 0) {
  pad <- strrep("  ", indent + 1)
  close_pad <- strrep("  ", indent)
  if (is.null(x)) return("null")
  if (inherits(x, "json_array")) {
    v <- unclass(x)$values
    if (length(v) == 0) return("[]")
    return(paste0("[", paste(vapply(seq_along(v), function(i) json_atom(v[[i]]), ""),
                             collapse = ", "), "]"))
  }
  if (is.list(x)) {
    if (length(x) == 0) return(if (is.null(names(x))) "[]" else "{}")
    parts <- vapply(seq_along(x), function(i) to_json(x[[i]], indent + 1), "")
    if (is.null(names(x))) {
      return(paste0("[\n", paste0(pad, parts, collapse = ",\n"), "\n", close_pad, "]"))
    }
    keys <- vapply(names(x), json_string, "")
    return(paste0("{\n", paste0(pad, keys, ": ", parts, collapse = ",\n"), "\n",
                  close_pad, "}"))
  }
  if (length(x) == 1) return(json_atom(x))
  to_json(arr(x), indent)
}

write_json <- function(x, name) {
  path <- file.path(out_dir, paste0(name, ".json"))
  writeLines(to_json(x), path)
  message("wrote ", path)
}

# ---------------------------------------------------------------------------
# Data and records
# ---------------------------------------------------------------------------

# R fits what the CSV holds (write.csv keeps 15 significant digits), so that R and the
# Python tests see bit-identical inputs. na = "": an empty cell is a missing value in our
# data contract. `...` goes to read.csv (e.g. colClasses, to keep a label column text).
write_data <- function(df, name, ...) {
  path <- file.path(out_dir, paste0(name, ".csv"))
  write.csv(df, path, row.names = FALSE, na = "")
  message("wrote ", path)
  read.csv(path, na.strings = "", stringsAsFactors = FALSE, ...)
}

# Which R made a fixture; `mass` for the scripts that use MASS's fits or data sets.
meta <- function(note = NULL, mass = FALSE) {
  m <- list(r_version = R.version.string,
            survival_version = as.character(packageVersion("survival")))
  if (mass) m$mass_version <- as.character(packageVersion("MASS"))
  m$note <- note
  m
}

# Map an R survival outcome to our contract: failure 0/1, failure_months only for failures.
# id_digits differs per script only so that committed patient ids stay as they were.
contract_outcome <- function(id_prefix, time, event, id_digits = 3) {
  data.frame(
    patient_id = sprintf(paste0("%s-%0", id_digits, "d"), id_prefix, seq_along(time)),
    followup_months = time,
    failure = as.integer(event),
    failure_months = ifelse(event == 1, time, NA)
  )
}

# Our term names: numeric covariates keep their name, a factor level becomes
# "column=level" (reference level omitted), in R's coefficient order.
our_term_names <- function(fit) {
  labels <- attr(terms(fit), "term.labels")
  unlist(lapply(labels, function(lab) {
    if (!is.null(fit$xlevels[[lab]])) paste0(lab, "=", fit$xlevels[[lab]][-1]) else lab
  }))
}

# One record per survfit stratum, keyed by our group label: strata are named "sex=F", our
# label is the bare level "F"; an unstratified fit is the one group "All".
# one(fit_of_the_stratum, its_row_of_summary_table) builds the record.
km_by_stratum <- function(fit, one) {
  tab <- summary(fit)$table
  if (is.null(fit$strata)) return(list(All = one(fit, tab)))
  groups <- list()
  for (i in seq_along(fit$strata)) {
    label <- sub("^[^=]*=", "", names(fit$strata)[i])
    groups[[label]] <- one(fit[i], tab[i, ])
  }
  groups
}

# cox.zph's table, one row per term (and GLOBAL) in R's order.
zph_rows <- function(zph) {
  tab <- zph$table
  lapply(seq_len(nrow(tab)), function(i) {
    list(term = rownames(tab)[i], chisq = tab[i, "chisq"], df = tab[i, "df"],
         p = tab[i, "p"])
  })
}

# The demo cohort's copy written by make_recurrent_reference.R, with treatment failure
# derived exactly as analytics.data.cohort does: the first relapse more than `grace` months
# after the first infusion and no later than last follow-up; otherwise censored at last
# follow-up. Adds failure (0/1) and time_months; sex is a factor with reference "F".
demo_with_failure <- function(grace) {
  patients <- read.csv(file.path(out_dir, "recurrent_demo_patients.csv"),
                       stringsAsFactors = FALSE)
  relapses <- read.csv(file.path(out_dir, "recurrent_demo_relapses.csv"),
                       stringsAsFactors = FALSE)
  later <- relapses[relapses$months_from_rtx > grace, ]
  first <- tapply(later$months_from_rtx, later$patient_id, min)
  failure_months <- unname(first[patients$patient_id])
  failure_months[!is.na(failure_months) & failure_months > patients$followup_months] <- NA
  patients$failure <- as.integer(!is.na(failure_months))
  patients$time_months <- ifelse(patients$failure == 1, failure_months,
                                 patients$followup_months)
  patients$sex <- relevel(factor(patients$sex), ref = "F")
  patients
}
