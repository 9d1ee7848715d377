"""Command line: ``python -m analytics report ...`` (contract in docs/cli.md).

Exit 0 on success; 2 on invalid input or arguments, with a message on stderr that names the
file, row, column and rule; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from analytics.data.cohort import DEFAULT_GRACE_MONTHS, Cohort, Filters
from analytics.data.mapping import MappingChoice
from analytics.data.schema import CohortValidationError, Problem
from analytics.reports.relapse_report import RelapseReport, build_relapse_report
from analytics.reports.report import Report, build_report
from analytics.reports.text import render_text
from analytics.stats.levels import (
    DEFAULT_CONF_LEVEL,
    DEFAULT_ZPH_TRANSFORM,
    ZPH_TRANSFORMS,
    check_zph_transform,
    parse_conf_level,
)

EXIT_INVALID = 2
EXIT_BUG = 1
log = logging.getLogger("analytics.cli")


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors in one paragraph and exits 2 (argparse's own code)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_INVALID, f"error: {message}\nRun with --help for usage.\n")


def _choice_int(value: str) -> int:
    if value not in ("0", "1"):
        raise argparse.ArgumentTypeError(f"must be 0 or 1, got {value!r}")
    return int(value)


def _sex(value: str) -> str:
    if value.upper() not in ("F", "M"):
        raise argparse.ArgumentTypeError(f"must be F or M, got {value!r}")
    return value.upper()


def _covariates(value: str) -> list[str]:
    names = [v.strip() for v in value.split(",") if v.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give at least one column name, e.g. age_at_rtx,sex")
    return names


def _conf_level(value: str) -> float:
    try:
        return parse_conf_level(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _zph_transform(value: str) -> str:
    try:
        return check_zph_transform(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _months(*, allow_zero: bool) -> Callable[[str], float]:
    """A number of months: ``>= 0`` when ``allow_zero``, else ``> 0``."""

    def parse(value: str) -> float:
        try:
            months = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number of months, got {value!r}") from None
        if not math.isfinite(months) or months < 0 or (months == 0 and not allow_zero):
            rule = "0 or more" if allow_zero else "more than 0"
            raise argparse.ArgumentTypeError(f"must be {rule} months, got {value!r}")
        return months

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m analytics", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    report = sub.add_parser("report", help="compute the cohort report for a set of filters")
    report.add_argument(
        "--cohort", default="demo", help="patients file (CSV/XLSX/Parquet) or 'demo'"
    )
    report.add_argument("--relapses", help="relapses file (patient_id, months_from_rtx)")
    report.add_argument(
        "--infusions", help="rituximab infusions file (patient_id, months_from_rtx)"
    )
    report.add_argument(
        "--grace-months",
        type=float,
        default=DEFAULT_GRACE_MONTHS,
        help="grace period, 0-12 (needs a relapses file unless left at 6)",
    )
    report.add_argument("--sex", type=_sex, help="F or M")
    report.add_argument("--age-min", type=float)
    report.add_argument("--age-max", type=float)
    report.add_argument("--edss-min", type=float)
    report.add_argument("--edss-max", type=float)
    report.add_argument("--lesions", type=_choice_int, help="asymptomatic lesions: 0 or 1")
    report.add_argument("--gd-persistent", type=_choice_int, help="persistent Gd: 0 or 1")
    report.add_argument("--fcgr3a", choices=["VV", "VF", "FF"], help="FCGR3A-V158F genotype")
    report.add_argument("--group-by", help="column whose levels get their own KM curve")
    report.add_argument("--covariates", type=_covariates, default=[], help="a,b,... for Cox")
    report.add_argument("--landmark-months", type=float, help="landmark for the lesion analysis")
    report.add_argument(
        "--conf-level",
        type=_conf_level,
        default=DEFAULT_CONF_LEVEL,
        help="confidence level of every interval: 0.90, 0.95 or 0.99 (or 90, 95, 99)",
    )
    report.add_argument(
        "--zph-transform",
        type=_zph_transform,
        default=DEFAULT_ZPH_TRANSFORM,
        help=f"time transform of the cox.zph test: {'|'.join(ZPH_TRANSFORMS)}",
    )
    report.add_argument(
        "--conditional-survived",
        type=_months(allow_zero=True),
        metavar="X",
        help="conditional survival: months already failure-free (with --conditional-further)",
    )
    report.add_argument(
        "--conditional-further",
        type=_months(allow_zero=False),
        metavar="Y",
        help="conditional survival: months ahead, > 0 (with --conditional-survived)",
    )
    _add_open_options(report)
    _add_mapping_options(report)
    report.add_argument("--format", choices=["json", "text"], default="json")
    return parser


def _add_open_options(report: argparse.ArgumentParser) -> None:
    """The open analyses: any exposure, Table 1 by any grouping, MANCOVA of any columns."""
    report.add_argument(
        "--exposure",
        default="asymptomatic_lesions",
        help="0/1 column of a time-varying exposure (naive vs time-dependent vs landmark Cox)",
    )
    report.add_argument(
        "--exposure-months",
        default="asymptomatic_lesion_months",
        help="months from baseline to the exposure's onset",
    )
    report.add_argument(
        "--exposure-covariates",
        type=_covariates,
        default=[],
        help="a,b,... baseline covariates of the three exposure models (default none)",
    )
    report.add_argument(
        "--table-by", default="failure", help="Table 1 groups: failure or a 2-10 level column"
    )
    report.add_argument("--mancova-dependent", type=_covariates, help="a,b,... (two or more)")
    report.add_argument("--mancova-factor", help="MANCOVA factor: a 2-10 level column")
    report.add_argument("--mancova-covariates", type=_covariates, help="a,b,... for MANCOVA")


def _add_mapping_options(report: argparse.ArgumentParser) -> None:
    """A clinic's own file, read as the page's mapping step reads it once confirmed."""
    report.add_argument(
        "--map",
        action="store_true",
        help="read Spanish (or other known) column names and Sí/No, Femenino/Masculino, "
        "Mujer/Hombre values as the data dictionary's",
    )
    report.add_argument(
        "--derive-dates",
        action="store_true",
        help="months from date columns: (date - first infusion date) in days / (365.25/12)",
    )
    report.add_argument(
        "--sex-m", type=_sex, help="what a bare M means in a Spanish file: F (Mujer) or M"
    )


def _mapping(args: argparse.Namespace) -> MappingChoice | None:
    """The --map/--derive-dates/--sex-m choice (None: the file is read as written)."""
    from analytics.data.io import read_table
    from analytics.data.mapping import cli_choice, propose

    if not (args.map or args.derive_dates or args.sex_m):
        return None
    proposal = propose(read_table(args.cohort, Path(args.cohort).name))
    return cli_choice(
        proposal, map_names=args.map, derive_dates=args.derive_dates, m_means=args.sex_m
    )


def _hint(error: CohortValidationError, args: argparse.Namespace) -> CohortValidationError:
    """A file that failed as written but has Spanish names or dates: say which options read it."""
    from analytics.data.io import read_table
    from analytics.data.mapping import propose

    if args.map or args.derive_dates:
        return error
    try:
        proposal = propose(read_table(args.cohort, Path(args.cohort).name))
    except CohortValidationError:
        return error
    if not proposal.needs_confirmation:
        return error
    hint = Problem(
        Path(args.cohort).name,
        None,
        None,
        None,
        "its column names or values are not the data dictionary's (Spanish names, Sí/No, "
        "dates): run again with --map (and --derive-dates to turn dates into months)",
    )
    return CohortValidationError([hint, *error.problems])


def _load(args: argparse.Namespace) -> Cohort:
    from analytics.data.io import load_cohort

    if args.cohort == "demo":
        from analytics.data.demo import load_demo

        files = (("relapses", args.relapses), ("infusions", args.infusions))
        given = [(kind, path) for kind, path in files if path]
        if given:
            raise CohortValidationError(
                Problem(
                    path,
                    None,
                    None,
                    None,
                    f"the demo cohort has its own {kind} file; use --cohort PATH with --{kind}",
                )
                for kind, path in given
            )
        return load_demo()
    try:
        return load_cohort(
            args.cohort, args.relapses, infusions=args.infusions, mapping=_mapping(args)
        )
    except CohortValidationError as error:
        raise _hint(error, args) from None


def run(args: argparse.Namespace) -> tuple[Report, RelapseReport | None]:
    """Load, filter and compute; raises the invalid-input errors ``main`` turns into exit 2.

    The second result is the Relapses tab's report of the same view (None without a
    relapses file).
    """
    filters = Filters(
        sex=args.sex,
        age_min=args.age_min,
        age_max=args.age_max,
        edss_min=args.edss_min,
        edss_max=args.edss_max,
        lesions=args.lesions,
        gd_persistent=args.gd_persistent,
        fcgr3a=args.fcgr3a,
        grace_months=args.grace_months,
    )
    given, ahead = args.conditional_survived, args.conditional_further
    if (given is None) != (ahead is None):
        raise ValueError(
            "conditional survival needs both --conditional-survived X and "
            "--conditional-further Y (months)"
        )
    cohort = _load(args)
    if cohort.relapses is None and args.grace_months != DEFAULT_GRACE_MONTHS:
        # A recorded failure column cannot be re-derived with another grace period; refusing
        # beats printing results for a definition that was not the one asked for.
        raise ValueError(
            f"--grace-months {args.grace_months:g}: a grace period can only be applied with a "
            "relapses file (--relapses PATH); this cohort's outcome is the failure column of "
            "its patients file, used as recorded. Leave --grace-months out or give the "
            "relapses file."
        )
    report = build_report(
        cohort,
        filters,
        group_by=args.group_by,
        covariates=args.covariates,
        landmark_months=args.landmark_months,
        conf_level=args.conf_level,
        zph_transform=args.zph_transform,
        conditional=None if given is None else (given, ahead),
        table_by=args.table_by,
        exposure=args.exposure,
        exposure_months=args.exposure_months,
        exposure_covariates=args.exposure_covariates,
        mancova_dependent=args.mancova_dependent,
        mancova_factor=args.mancova_factor,
        mancova_covariates=args.mancova_covariates,
    )
    if cohort.relapses is None:
        return report, None
    return report, build_relapse_report(cohort, filters, args.group_by, conf_level=args.conf_level)


def to_json(report: Report, relapses: RelapseReport | None) -> str:
    """The JSON of docs/cli.md's contract, the extra panels, then ``relapses``; strict JSON
    (undefined estimates are null, never NaN)."""
    data = report.to_dict()
    # Per-patient rates are already under relapse_rates; the Relapses tab shows none.
    data["relapses"] = None if relapses is None else relapses.to_dict(per_patient=False)
    return json.dumps(data, indent=2, allow_nan=False)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        report, relapses = run(args)
    except CohortValidationError as error:
        print(str(error), file=sys.stderr)
        return EXIT_INVALID
    except (KeyError, ValueError) as error:
        message = error.args[0] if error.args else str(error)
        print(f"error: {message}", file=sys.stderr)
        return EXIT_INVALID
    except Exception as error:  # a bug: say so without a traceback or patient values
        print(
            f"internal error ({type(error).__name__}); this is a bug in the explorer, "
            "not in your data. Please report it with the command you ran.",
            file=sys.stderr,
        )
        log.debug("unexpected error", exc_info=True)
        return EXIT_BUG
    if args.format == "json":
        print(to_json(report, relapses))
    else:
        print(render_text(report, relapses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
