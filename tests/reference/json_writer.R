# The JSON writer shared by the make_*_reference.R scripts (each sources this file after
# setting out_dir). jsonlite is not installed on the build machine, so the fixtures are
# written by this small writer: scalars as JSON scalars; wrap a vector in arr() to force an
# array even when it has length 1. NA, NaN and +-Inf become null. Numbers use %.17g, which
# round-trips an IEEE double exactly.

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
