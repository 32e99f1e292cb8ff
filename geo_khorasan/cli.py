"""Command line: ``geo-khorasan build``, ``geo-khorasan geocode``, ``geo-khorasan data list|install``."""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from pathlib import Path
from urllib.parse import urlsplit

from . import __version__, config, progress
from .config import project_config


def _gazetteer_dir(args, cfg) -> Path | None:
    return config.gazetteer_dir(args.gazetteer, cfg, quiet=args.quiet)


def _say(msg: str, kind: str = "") -> None:
    """One line on stderr: ``geo-khorasan: <file>: <problem>``."""
    print(f"geo-khorasan: {kind + ': ' if kind else ''}{msg}", file=sys.stderr)


def _say_not_text(seeds: Path) -> None:
    """Files in the articles folder that are not read as articles, named once each."""
    from .corpus import DOCUMENT_SUFFIXES, SIDECAR_NAME
    from .corrections import CORRECTIONS_NAME

    if not seeds.is_dir():
        return
    for path in sorted(seeds.iterdir()):
        if (path.is_file() and not path.name.startswith(".") and path.suffix.lower() not in DOCUMENT_SUFFIXES
                and path.name not in (SIDECAR_NAME, CORRECTIONS_NAME)):
            _say(f"{path}: skipped: not text (articles are {', '.join(sorted(DOCUMENT_SUFFIXES))} files)", "warning")


def _said_report(report, gaz) -> bool:
    """Errors and warnings of a build, one line each; False when no document could be read."""
    for e in report.errors:
        _say(e)
    for w in report.warnings:
        if w not in gaz.warnings:
            _say(w, "warning")
    return report.documents > 0


def _open_gazetteer(args, cfg):
    import csv
    import zipfile

    from .gazetteer.boundaries import RecipeError
    from .gazetteer.index import Gazetteer, IndexError_, default_index_path

    gz = _gazetteer_dir(args, cfg)
    explicit = config.index_path(args.index, cfg)
    try:
        path = explicit or default_index_path(Path(gz).resolve() if gz else None)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)  # fail now, not after building it
            _say(f"{path}: no gazetteer index yet; building it from {gz or 'the packaged data'} (about 30 s, once)",
                 "note")
        clock = progress.on_terminal(args.quiet)
        try:
            with progress.step("building the gazetteer index", enabled=clock and not path.exists()):
                return Gazetteer.open(gz, index_path=explicit)
        except IndexError_ as exc:
            if explicit is not None:
                raise
            # the index in the user cache is ours to rebuild; one the user named is not
            _say(f"{exc}; rebuilding it", "warning")
            with progress.step("building the gazetteer index", enabled=clock):
                return Gazetteer.open(gz, rebuild=True)
    except IndexError_ as exc:
        _say(str(exc))
        raise SystemExit(2) from None
    except (ValueError, csv.Error, zipfile.BadZipFile) as exc:  # RecipeError, broken CSV, not UTF-8, NaN...
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:300]
        named = isinstance(exc, RecipeError) or (gz is not None and str(gz) in first)
        _say(first if named else f"{gz or 'packaged data'}: a gazetteer file cannot be read ({first}); "
                                 "no gazetteer index built")
        raise SystemExit(2) from None
    except OSError as exc:
        _say(f"{exc.filename or 'gazetteer index'}: cannot build the gazetteer index ({exc.strerror or exc})")
        raise SystemExit(2) from None


def _config_mb(args, cfg) -> int | None:
    from .corpus import MAX_DOCUMENT_MB

    value = args.max_document_mb if args.max_document_mb is not None else cfg.get("max_document_mb", MAX_DOCUMENT_MB)
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise SystemExit(f"geo-khorasan: pyproject.toml: max_document_mb {value!r} is not a number") from None
    return None if value <= 0 else int(value * 2**20)


def _build_options(args, cfg, gaz) -> dict:
    from .cache import AnalysisCache

    corrections = getattr(args, "corrections", None) or cfg.get("corrections")
    return {"cache": None if getattr(args, "no_cache", False) else AnalysisCache(gaz),
            "corrections_file": Path(corrections) if corrections else None,
            "max_document_bytes": _config_mb(args, cfg)}


def _on_sigterm(signum, frame):
    from .staging import Terminated

    raise Terminated


def _interrupted(exc: KeyboardInterrupt) -> int:
    """The exit status shells expect: 143 after SIGTERM (128 + 15), 130 after Ctrl-C."""
    from .staging import Terminated

    return 143 if isinstance(exc, Terminated) else 130


def _dask_client(address: str):
    """A client of the Dask scheduler at ``address``; SystemExit with one line when there is none."""
    try:
        from distributed import Client
    except ImportError:
        raise SystemExit("geo-khorasan: build --dask: needs Dask; pip install 'geo_khorasan[dask]'") from None
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        why = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        raise SystemExit(f"geo-khorasan: {address}: cannot reach the Dask scheduler ({why})") from None


def cmd_build(args) -> int:
    import sqlite3

    from .corpus import CorpusError
    from .corrections import CorrectionsError
    from .export import DEFAULT_FORMATS, check_formats
    from .parallel import ParallelError, default_jobs
    from .pipeline import CheckError, build, check
    from .render.assets import libraries
    from .staging import OutputError

    cfg = project_config()
    seeds = Path(args.seeds or cfg.get("seeds", "seeds"))
    out = Path(args.out or cfg.get("maps", "maps"))
    if args.corrections and not Path(args.corrections).is_file():
        _say(f"{args.corrections}: corrections file not found")
        return 2
    asked = args.format or cfg.get("formats", ",".join(DEFAULT_FORMATS))
    formats = check_formats([f.strip() for value in ([asked] if isinstance(asked, str) else asked)
                             for f in str(value).split(",") if f.strip()])
    libraries()  # before any work: a missing library is one line now, not after the analysis
    gaz = _open_gazetteer(args, cfg)
    if not args.quiet:
        for w in gaz.warnings:
            _say(w, "warning")
        print("gazetteer: " + ", ".join(f"{s.key}" for s in gaz.sources()), file=sys.stderr)
    _say_not_text(seeds)
    options = _build_options(args, cfg, gaz) | {"formats": formats, "jobs": args.jobs or default_jobs()}
    client = options["client"] = _dask_client(args.dask) if args.dask else None
    try:
        if args.check:
            changed = check(seeds, out, gaz, **options)
            if changed:
                print(f"{out}: out of date; a fresh build changes {len(changed)} file(s):", file=sys.stderr)
                for f in changed:
                    print(f"  {f}", file=sys.stderr)
                return 1
            print(f"{out}: up to date")
            return 0
        report = build(seeds, out, gaz, progress=progress.on_terminal(args.quiet), **options)
    except (CorpusError, CorrectionsError, OutputError, CheckError, ParallelError) as exc:
        _say(str(exc))
        return 2
    except OSError as exc:  # disk full, permissions: nothing was swapped in
        _say(f"{exc.filename or out}: cannot write ({exc.strerror or exc}); {out} was left as it was")
        return 2
    except sqlite3.DatabaseError as exc:
        _say(f"{gaz.path}: gazetteer index is corrupt ({exc}); delete it to rebuild")
        return 2
    except KeyboardInterrupt as exc:
        from . import staging

        if getattr(exc, "committed", False) or staging.swapped is not None:
            _say(f"interrupted after the new maps were in place in {out}")
        else:
            _say(f"interrupted; {out} was left as it was")
        return _interrupted(exc)
    finally:
        if client is not None:
            client.close()
    if not _said_report(report, gaz):
        return 1
    for line in report.changes:
        print(line)
    bits = [f"{report.documents} documents ({report.analysed} analysed, {report.cached} from cache)",
            f"{report.mentions} mentions", f"{report.incidents} incidents", f"{report.regions} regions"]
    if report.corrections_applied or report.corrections_not_applied:
        bits.append(f"{report.corrections_applied} corrections applied"
                    + (f", {report.corrections_not_applied} not applied" if report.corrections_not_applied else ""))
    print(", ".join(bits) + f" -> {out}/")
    return 1 if args.strict and report.errors else 0


def cmd_geocode(args) -> int:
    from .geocoder import LocalGeocoder

    cfg = project_config()
    gaz = _open_gazetteer(args, cfg)
    online = None
    if args.online:
        from .online import OnlineError, online_gazetteer

        url = urlsplit(args.online_url) if args.online_url else None
        try:
            online = online_gazetteer(
                args.online, user_agent=args.user_agent or os.environ.get("GEO_KHORASAN_USER_AGENT"),
                username=args.username or os.environ.get("GEO_KHORASAN_GEONAMES_USERNAME"),
                domain=url.netloc if url else None, scheme=url.scheme if url else None)
        except OnlineError as exc:
            _say(f"geocode --online {args.online}: {exc}")
            return 2
    coder = LocalGeocoder(gazetteer=gaz, online=online)
    if args.input:
        return _geocode_table(coder, args)
    if not args.name:
        _say("geocode: give a NAME, or --input FILE.csv --column COL --output OUT.csv")
        return 2
    results = coder.candidates(args.name, country=args.country)
    if args.json:
        print(json.dumps([r.as_dict() for r in results], indent=1, ensure_ascii=False))
        return 0 if results else 1
    if not results:
        from .geocoder import geocode_row

        why = geocode_row(coder, args.name, args.country)["note"].removeprefix("unresolved: ")
        _say(f"geocode: no place named {args.name!r}" if why.startswith("no place")
             else f"geocode: {args.name!r}: {why}")
        return 1
    for i, r in enumerate(results):
        mark = "*" if i == 0 else " "
        print(f"{mark} {r.place.name} [{r.place.level}, {r.place.admin1 or '-'}, {r.place.country}] "
              f"{r.place.lat:.5f},{r.place.lon:.5f} {r.place.id} score {r.score:.2f}")
    return 0


def _geocode_table(coder, args) -> int:
    """Add the geocoding columns (``geocoder.GEOCODE_COLUMNS``) to every row of an analyst's table
    (CSV, or `;`/tab-separated: the delimiter is sniffed). Exit status 0 when every row was placed,
    1 when some were not (their ``note`` says why), 2 when the table cannot be read."""
    import csv
    import io
    from collections import Counter

    from . import atomic, csvcells
    from .geocoder import GEOCODE_COLUMNS, geocode_row

    src = Path(args.input)
    if not args.column or not args.output:
        _say(f"{src}: geocode --input needs --column and --output (-o)")
        return 2
    try:
        with open(src, encoding="utf-8-sig", newline="") as fh:
            sample = fh.read(64 * 1024)
            fh.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
            except csv.Error:
                dialect = csv.excel
            reader = csv.DictReader(fh, dialect=dialect)
            fields = list(reader.fieldnames or [])
            if args.column not in fields:
                _say(f"{src}: no column {args.column!r}; columns are {', '.join(fields)}")
                return 2
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        _say(f"{src}: cannot read CSV ({exc})")
        return 2
    out_fields = fields + [c for c in GEOCODE_COLUMNS if c not in fields]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=out_fields, delimiter=dialect.delimiter, lineterminator="\n")
    writer.writerow(dict(zip(out_fields, csvcells.row(out_fields))))  # the header, made safe too
    failed: Counter = Counter()
    for row in progress.bar(rows, enabled=progress.on_terminal(args.quiet), desc="geocoding", unit="row"):
        extra = geocode_row(coder, row.get(args.column) or "", args.country)
        if not extra["place_id"]:
            failed[extra["note"].removeprefix("unresolved: ")] += 1
        writer.writerow(csvcells.row({**row, **extra}))
    atomic.write_text(args.output, buf.getvalue())
    n_failed = sum(failed.values())
    why = "; ".join(f"{n} {reason}" for reason, n in failed.most_common())
    print(f"{len(rows) - n_failed} of {len(rows)} rows geocoded, {n_failed} not" + (f" ({why})" if why else "")
          + f" -> {args.output}")
    return 1 if n_failed else 0


def cmd_data_list(args) -> int:
    from .gazetteer.install import InstallError, data_dir, installed_lines

    cfg = project_config()
    gaz = _open_gazetteer(args, cfg)
    for s in gaz.sources():
        print(f"{s.key:34} {s.features:>7} features  {s.licence:18} {s.attribution}  [{s.path}]")
    in_use = _gazetteer_dir(args, cfg)
    for folder in dict.fromkeys(f.resolve() for f in (data_dir(), in_use) if f):
        try:
            lines = installed_lines(folder)
        except InstallError as exc:
            _say(str(exc), "warning")
            continue
        if lines:
            print(f"\ninstalled in {folder}:")
            print("\n".join(f"  {line}" for line in lines))
        elif folder == data_dir().resolve():
            print(f"\nnothing installed in {folder} (geo-khorasan data install NAME|FOLDER|ARCHIVE)")
    return 0


def cmd_data_install(args) -> int:
    from .gazetteer.install import InstallError, data_dir, install

    dest = Path(args.dest) if args.dest else data_dir()
    try:
        report = install(args.sources, dest, progress=progress.on_terminal(args.quiet), force=args.force)
    except InstallError as exc:  # data/downloads.toml or the manifest is broken
        _say(str(exc))
        return 2
    for f in report.installed:
        print(f"{f.path}  {f.size} bytes  {f.licence or 'licence unknown'}  [{f.source}]")
    for n in report.notes:
        _say(n, "note")
    for e in report.errors:
        _say(e)
    if report.installed:
        print(f"{len(report.installed)} file(s) installed in {dest}; recorded in {dest / 'installed.json'}")
        in_use = _gazetteer_dir(args, project_config())
        if in_use is None or in_use.resolve() != dest.resolve():
            _say(f"the gazetteer folder in use here is {in_use or 'none'}; pass --gazetteer {dest} "
                 "to build from the installed data", "note")
    return 1 if report.errors else 0


def _corpus_options(p) -> None:
    p.add_argument("--corrections", help="analyst corrections file (default: corrections.yaml in the seeds folder)")
    p.add_argument("--max-document-mb", type=float, help="refuse documents larger than this "
                   "(default: max_document_mb in [tool.geo_khorasan], else 5; 0 for no limit)")


def cmd_review(args) -> int:
    import sqlite3

    from .corpus import CorpusError
    from .corrections import CorrectionsError
    from .review import review_csv

    cfg = project_config()
    seeds = Path(args.seeds or cfg.get("seeds", "seeds"))
    if args.corrections and not Path(args.corrections).is_file():
        _say(f"{args.corrections}: corrections file not found")
        return 2
    gaz = _open_gazetteer(args, cfg)
    try:
        text, report, rows = review_csv(seeds, gaz, **_build_options(args, cfg, gaz))
    except (CorpusError, CorrectionsError) as exc:
        _say(str(exc))
        return 2
    except sqlite3.DatabaseError as exc:
        _say(f"{gaz.path}: gazetteer index is corrupt ({exc}); delete it to rebuild")
        return 2
    if not _said_report(report, gaz):
        return 1
    if args.output:
        from . import atomic

        try:
            atomic.write_text(args.output, text)
        except OSError as exc:
            _say(f"{exc.filename or args.output}: cannot write ({exc.strerror or exc})")
            return 2
        print(f"{rows} mentions -> {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line, ``geo-khorasan: <command>: <problem>`` (``--help`` shows the usage)."""

    def error(self, message: str):
        self.exit(2, f"geo-khorasan: {self.prog.removeprefix('geo-khorasan').strip() or 'command line'}: {message}"
                     f" (see {self.prog} --help)\n")


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of 1 or more")
    return n


def _common_options(p, default) -> None:
    """--gazetteer, --index and -q, accepted before and after the subcommand."""
    p.add_argument("--gazetteer", default=default, metavar="DIR",
                   help="folder of gazetteer data (default: $GEO_KHORASAN_GAZETTEER, gazetteer in [tool.geo_khorasan] "
                   "of ./pyproject.toml, or the data installed by `data install`)")
    p.add_argument("--index", default=default, metavar="FILE",
                   help="gazetteer index file to use (default: $GEO_KHORASAN_INDEX, or one built in the user cache)")
    p.add_argument("-q", "--quiet", action="store_true", default=default,
                   help="no progress, notes or warnings about the gazetteer and the project's own data")


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="geo-khorasan", description=__doc__)
    top.add_argument("--version", action="version", version=f"geo-khorasan {__version__}",
                     help="print the version and exit")
    _common_options(top, None)
    top.set_defaults(quiet=False)
    common = argparse.ArgumentParser(add_help=False)
    _common_options(common, argparse.SUPPRESS)
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    def command(subparsers, name, **kw):
        return subparsers.add_parser(name, parents=[common], **kw)

    b = command(sub, "build", help="read the articles and write maps and exports")
    b.add_argument("seeds", nargs="?", help="folder of articles (default: seeds)")
    b.add_argument("--out", help="output folder (default: maps)")
    b.add_argument("--check", action="store_true", help="exit 1 and name the files if a fresh build would change them")
    b.add_argument("--format", action="append", metavar="FORMAT",
                   help="exports beside the maps, comma-separated or repeated: geojson (always written, with incidents.csv), "
                        "csv (adds mentions.csv, a row per place mention), gpkg (maps.gpkg, one layer each), "
                        "parquet (GeoParquet, needs pyarrow); default geojson")
    _corpus_options(b)
    b.add_argument("--strict", action="store_true", help="exit 1 when a file was skipped or a correction not applied")
    b.add_argument("--no-cache", action="store_true", help="analyse every document afresh (the cache is not read or written)")
    workers = b.add_mutually_exclusive_group()
    workers.add_argument("--jobs", "-j", type=_positive, metavar="N",
                         help="processes reading the articles (default: one per core; 1 reads them in this process)")
    workers.add_argument("--dask", metavar="SCHEDULER_ADDRESS",
                         help="read the articles on the workers of this Dask scheduler (e.g. tcp://10.0.0.5:8786), "
                              "each opening the gazetteer index at the same path; needs pip install 'geo_khorasan[dask]'")
    b.set_defaults(func=cmd_build)
    r = command(sub, "review", help="a CSV of every place mention with its candidates, for checking")
    r.add_argument("seeds", nargs="?", help="folder of articles (default: seeds)")
    r.add_argument("--output", "-o", help="CSV file to write (default: standard output)")
    _corpus_options(r)
    r.add_argument("--no-cache", action="store_true", help="analyse every document afresh")
    r.set_defaults(func=cmd_review)
    g = command(sub, "geocode", help="look a place name up in the local gazetteer")
    g.add_argument("name", nargs="?", help="the place as written, e.g. \"Torghandi, Bajaur agency\"")
    g.add_argument("--country", help="ISO 3166-1 alpha-2 code to restrict to")
    g.add_argument("--json", action="store_true", help="print the candidates as JSON")
    g.add_argument("--input", help="CSV file to geocode row by row (batch mode)")
    g.add_argument("--column", help="batch mode: the column holding the place text")
    g.add_argument("--output", "-o", help="batch mode: table to write, with latitude, longitude, place_name, place_id, "
                   "level, country, precision, score, rule and note added (exit status 1 when some rows stay unresolved)")
    g.add_argument("--online", choices=("nominatim", "geonames"),
                   help="ask this service (place names only, cached, rate-limited) for names the local index lacks")
    g.add_argument("--user-agent", help="Nominatim: a User-Agent naming you or your project, as its policy requires "
                   "(or $GEO_KHORASAN_USER_AGENT)")
    g.add_argument("--username", help="GeoNames: your registered username (or $GEO_KHORASAN_GEONAMES_USERNAME)")
    g.add_argument("--online-url", help="base URL of another instance of the service (e.g. your own Nominatim)")
    g.set_defaults(func=cmd_geocode)
    d = command(sub, "data", help="gazetteer data")
    dsub = d.add_subparsers(dest="data_command", required=True, metavar="ACTION", parser_class=_Parser)
    dl = command(dsub, "list", help="show the gazetteer sources in use, with licences")
    dl.set_defaults(func=cmd_data_list)
    di = command(dsub, "install", help="download or copy gazetteer data into the per-user data folder")
    di.add_argument("sources", nargs="+", metavar="SOURCE",
                    help="a name or group from data/downloads.toml (e.g. geonames-dumps), a folder, "
                         "or a .zip/.tar.gz archive of files at the paths data/sources.toml reads")
    di.add_argument("--dest", help="data folder to install into (default: the per-user data folder)")
    di.add_argument("--force", action="store_true", help="download again files that are already installed")
    di.set_defaults(func=cmd_data_install)
    return top


def main(argv: list[str] | None = None) -> int:
    from .export import FormatError
    from .paths import DataNotFound, check_data
    from .render.assets import AssetsNotFound

    try:
        top = parser()
        args, extra = top.parse_known_args(argv)
        if extra:  # named after the subcommand, where the user put them
            _Parser(prog=f"geo-khorasan {args.command}").error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exc:  # --help, --version, or a usage error already said in one line
        return exc.code if isinstance(exc.code, int) else 2
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    try:  # kill: clean up as after Ctrl-C
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread: signals go elsewhere
        previous = None
    try:
        check_data()
        return args.func(args)
    except (AssetsNotFound, DataNotFound, config.ConfigError, FormatError) as exc:
        _say(str(exc))
        return 2
    except SystemExit as exc:  # a command that cannot start has already said why
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            return 2
        return exc.code or 0
    except KeyboardInterrupt as exc:
        print("geo-khorasan: interrupted; files already written are complete, the rest unchanged", file=sys.stderr)
        return _interrupted(exc)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
