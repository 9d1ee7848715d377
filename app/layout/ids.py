"""Component IDs, in one place so layout, callbacks and browser tests agree."""

URL = "url"
# The address's query when it can set a control: not on opening a plain address (assets/
# page_query.js), so a plain page load asks the server nothing before computing its views.
URL_QUERY = "url-query"
# The view as the URL's query, written by the server, put in the address bar by the browser.
PAGE_QUERY = "page-query"
LANGUAGE = "page-language"  # the page's language ("en"/"es"), fixed when the page is served
LANGUAGE_LINK = "language-link"
COHORT_STORE = "cohort-store"  # a signed key of the upload, its file names and n; no bytes
# A view callback whose worker lacks the upload asks for it here (app.callbacks.restore).
UPLOAD_RESTORE = "upload-restore"
UPLOAD_RESTORE_STATUS = "upload-restore-status"  # "Restoring your uploaded file…"
# The upload key the filters were last adapted to (a restore must not reset them).
CONTROLS_ADAPTED_TO = "controls-adapted-to"

# Filters (left panel)
SEX = "filter-sex"
AGE = "filter-age"
EDSS = "filter-edss"
LESIONS = "filter-lesions"
GD = "filter-gd"
FCGR3A = "filter-fcgr3a"
GRACE = "filter-grace"
GRACE_REASON = "filter-grace-reason"  # why the slider is disabled (no relapses file)
GROUP_BY = "filter-group-by"
COVARIATES = "filter-covariates"
HORIZON = "filter-horizon"
LANDMARK = "filter-landmark"
CONF_LEVEL = "filter-conf-level"
ZPH_TRANSFORM = "zph-transform"  # on the Hazard ratios tab
RESET = "filter-reset"
FILTER_ROWS = {  # wrappers hidden when the cohort lacks the column
    SEX: "row-sex",
    AGE: "row-age",
    EDSS: "row-edss",
    LESIONS: "row-lesions",
    GD: "row-gd",
    FCGR3A: "row-fcgr3a",
}
# The chosen range of a range slider as text, always shown (app/callbacks/range_readouts.py).
RANGE_READOUTS = {AGE: "filter-age-range", EDSS: "filter-edss-range"}
KM_OPTIONS = "km-options"
# The value each slider settled on (app/callbacks/settle.py): every keyboard step moves the
# thumb, and the views compute once from where it stops, reading these stores, not the thumb.
SETTLED = {
    AGE: "filter-age-settled",
    EDSS: "filter-edss-settled",
    GRACE: "filter-grace-settled",
}

# Read-outs
RESULTS = "results"  # the main column (summary cards, tabs, methods): the skip link's target
COHORT_LABEL = "cohort-label"
LIVE_COUNT = "live-count"
CARDS = "summary-cards"
WARNINGS = "warnings"
KM_GRAPH = "km-graph"
KM_SUMMARY = "km-summary"
# The plots in words (components/panels/plot_caption.py), written with each plot.
KM_CAPTION = "km-caption"
FOREST_CAPTION = "forest-caption"
KM_STEP = "km-step-store"  # the clicked KM step: {"group", "time"} (the patients are recomputed)
KM_STEP_PANEL = "km-step-panel"
TIMELINE_GRAPH = "timeline-graph"
TIMELINE_CAPTION = "timeline-caption"
FOREST_GRAPH = "forest-graph"
HAZARD_NOTES = "hazard-notes"
LESION_PANEL = "lesion-panel"
RATES_PANEL = "rates-panel"
TABLE_ONE = "table-one"
MANCOVA = "mancova-panel"
PAPER = "paper-panel"
METHODS = "methods-panel"
METHODS_TOGGLE = "methods-toggle"  # the summary of the collapsed methods section

# What each part of the page last rendered (a digest of its view, never the values): a
# callback whose part already shows the current view sends nothing.
RENDERED_CORE = "rendered-core"
RENDERED_KM = "rendered-km"
RENDERED_HR = "rendered-hr"
RENDERED_LESIONS = "rendered-lesions"
RENDERED_RATES = "rendered-rates"
RENDERED_TABLE = "rendered-table"
RENDERED_METHODS = "rendered-methods"
RENDERED_STORES = (
    RENDERED_CORE,
    RENDERED_KM,
    RENDERED_HR,
    RENDERED_LESIONS,
    RENDERED_RATES,
    RENDERED_TABLE,
    RENDERED_METHODS,
)

# Data
UPLOAD_PATIENTS = "upload-patients"
UPLOAD_RELAPSES = "upload-relapses"
UPLOAD_INFUSIONS = "upload-infusions"
UPLOAD_STATUS = "upload-status"
# The mapping step of a clinic's file (Spanish headers and values, months from dates).
UPLOAD_MAPPING_AREA = "upload-mapping-area"
UPLOAD_MAPPING_TABLE = "upload-mapping-table"
UPLOAD_SEX_M = "upload-sex-m"
UPLOAD_SEX_M_AREA = "upload-sex-m-area"
UPLOAD_DERIVE = "upload-derive"
UPLOAD_DERIVE_AREA = "upload-derive-area"
UPLOAD_MAPPING_CONFIRM = "upload-mapping-confirm"
USE_DEMO = "use-demo"
DOWNLOAD_CSV_BUTTON = "download-csv-button"
DOWNLOAD_CSV = "download-csv"
DOWNLOAD_REPORT_BUTTON = "download-report-button"
DOWNLOAD_REPORT = "download-report"
DOWNLOAD_TEMPLATE_BUTTON = "download-template-button"
DOWNLOAD_TEMPLATE = "download-template"
DOWNLOAD_INFUSIONS_TEMPLATE_BUTTON = "download-infusions-template-button"
DOWNLOAD_INFUSIONS_TEMPLATE = "download-infusions-template"
TABLE_BY = "table-by"
# The open analyses' choices (Lesion timing, Table 1 & MANCOVA tabs)
EXPOSURE = "exposure"
EXPOSURE_MONTHS = "exposure-months"
EXPOSURE_COVARIATES = "exposure-covariates"
MANCOVA_DEPENDENT = "mancova-dependent"
MANCOVA_FACTOR = "mancova-factor"
MANCOVA_COVARIATES = "mancova-covariates"

# Relapses tab and the conditional survival calculator (Survival tab)
RELAPSE_PANEL = "relapse-panel"
CONDITIONAL_GIVEN = "conditional-given"
CONDITIONAL_AHEAD = "conditional-ahead"
CONDITIONAL_PANEL = "conditional-panel"

# What each gated part of the page was last asked to show (app/callbacks/visible.py): a short
# fingerprint of the view, written in the browser only while that part is visible, so a hidden
# tab's server callback is never requested. Keys: the tab keys of app.layout.page, "methods".
VIEW_GATES = {
    key: f"view-{key}"
    for key in ("km", "timelines", "hr", "lesions", "rates", "relapses", "table", "methods")
}
# The Paper tab depends on the cohort alone (not the filters): its own gate.
PAPER_GATE = "view-paper"
# Bumped in the browser when a view change must clear a clicked Kaplan–Meier step.
KM_STEP_RESET = "km-step-reset"
