"""Read the articles: text, metadata sidecar, sentences."""
from __future__ import annotations

import csv
import errno
import io
import logging
import os
import re
import stat
import unicodedata
from dataclasses import replace
from pathlib import Path

from .records import Document, DocumentMeta

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
DOCUMENT_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES
#: The metadata sidecar users edit: one row per document id.
SIDECAR_NAME = "metadata.csv"
SIDECAR_FIELDS = ("id", "title", "outlet", "author", "date", "url")

_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Gen|Col|Maj|Capt|Lt|Prof|St|No|Vol|govt|approx|vs|etc|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
    r"|\b(?:[A-Za-z]\.){1,}[A-Za-z])\.$")


class CorpusError(ValueError):
    """A document or the sidecar cannot be read; the message names the file and the problem."""


#: Documents larger than this are refused rather than read (``max_document_mb`` in ``[tool.geo_khorasan]``).
MAX_DOCUMENT_MB = 5  # a long report is about 1 MB of text, analysed in about 30 s

#: File signatures of formats that are not text, named in the error line.
_MAGIC = ((b"%PDF", "PDF"), (b"PK\x03\x04", "zip archive or Word/OpenDocument"), (b"\x89PNG", "PNG image"),
          (b"\xff\xd8\xff", "JPEG image"), (b"GIF8", "GIF image"), (b"\xd0\xcf\x11\xe0", "old Word/Excel"),
          (b"\x1f\x8b", "gzip archive"), (b"\x7fELF", "program"))


def _size(n: int) -> str:
    return f"{round(n / 2**20, 1):g} MB" if n >= 2**20 else f"{round(n / 1024, 1):g} KB"


def read_text_file(path: Path, *, max_bytes: int | None = MAX_DOCUMENT_MB * 2**20,
                   warnings: list[str] | None = None) -> str:
    """The text of a document file. Refuses empty, oversized and binary files (CorpusError);
    text that is not UTF-8 is read as UTF-16 (with its BOM), Windows-1252 or Latin-1, and a
    warning naming the file says which (in ``warnings``, else logged)."""
    # no link followed, no FIFO waited on: the file is checked on the open descriptor itself
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise CorpusError(f"{path}: a symbolic link, not a regular file; skipped") from None
        raise
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise CorpusError(f"{path}: {_kind(st.st_mode) or 'a folder'}, not a regular file; skipped")
        size = st.st_size
        if max_bytes is not None and size > max_bytes:
            raise CorpusError(f"{path}: {_size(size)} is over the {_size(max_bytes)} limit for one document "
                              f"(max_document_mb in [tool.geo_khorasan]); skipped")
        data = fh.read() if max_bytes is None else fh.read(max_bytes + 1)
    if max_bytes is not None and len(data) > max_bytes:
        raise CorpusError(f"{path}: grew over the {_size(max_bytes)} limit for one document while read; skipped")
    if not data.strip():
        raise CorpusError(f"{path}: empty file")

    def warn(msg: str) -> None:
        if warnings is None:
            log.warning(msg)
        else:
            warnings.append(msg)

    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise CorpusError(f"{path}: binary file, not text (broken UTF-16)") from None
        warn(f"{path}: UTF-16 text, read as such (save as UTF-8 to silence this)")
        return text.replace("\r\n", "\n").replace("\r", "\n")
    kind = next((name for magic, name in _MAGIC if data.startswith(magic)), None)
    if kind:
        raise CorpusError(f"{path}: binary file ({kind}), not text")
    head = data[:8192]
    controls = sum(1 for b in head if b < 32 and b not in b"\t\n\r\f")
    if b"\x00" in head or controls > len(head) / 20:
        raise CorpusError(f"{path}: binary file, not text")
    text, guessed = _decode(data, path)
    if guessed:
        warn(guessed)
    return text.replace("\r\n", "\n").replace("\r", "\n")


#: Markup nested deeper than this (tags, or markdown brackets) is refused: parsers recurse on it.
MAX_MARKUP_DEPTH = 200
#: Markdown with more brackets nested in one paragraph than this is read as plain text (the
#: markdown parser's link patterns backtrack over nested brackets).
MAX_MARKDOWN_BRACKETS = 16


class _TooDeep(ValueError):
    pass


def _html_to_text(html: str) -> str:
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(html, "html.parser")
        return _soup_text(soup)
    except RecursionError:
        raise _TooDeep(f"markup nested too deeply (over {MAX_MARKUP_DEPTH} levels)") from None


def _soup_text(soup) -> str:
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    for a in soup.find_all("a", href=True):
        if a["href"].startswith(("http://", "https://")) and a["href"] not in a.get_text():
            a.append(f" ({a['href']})")
    text = soup.get_text("\n")
    return re.sub(r"\n[ \t]*\n[\s]*", "\n\n", re.sub(r"[ \t]+", " ", text)).strip() + "\n"


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        if ch == "[":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == "]":
            depth = max(0, depth - 1)
    return deepest


def _markdown_to_text(md: str) -> str:
    import markdown

    if _bracket_depth(md) > MAX_MARKDOWN_BRACKETS:
        return md  # not a link anyone wrote: read it as the text it is
    return _html_to_text(markdown.markdown(md))


#: Longest stretch read as one sentence; longer ones are cut at a comma or, failing that, a space.
MAX_SENTENCE_CHARS = 1000


#: What ends a line that closes its sentence; a line of 40 characters or more ending otherwise, with
#: text on the next line, breaks off mid-sentence ("... killed six workers on February 8 in Qush").
_CLOSERS = frozenset(".!?:;\"”’)]")
OPEN_LINE_CHARS = 40
_INNER_BREAK = re.compile(r"(?<=[^.!?:;\"”’)\]\s])\n(?=[^\n\s])")
#: A text is hard-wrapped when this share of its lines break off mid-sentence.
WRAPPED_SHARE = 0.4


def unwrap_lines(text: str) -> str:
    """A hard-wrapped text (copied from a PDF or a fixed-width page) with its line breaks inside
    sentences made spaces, so that "Qush\nTepah District" is one name and one sentence; offsets
    stay those of the file. Texts written a paragraph per line are returned as they are."""
    split = text.split("\n")
    lines = sum(1 for line in split if line.strip())
    # line by line, not a regular expression over the text: that tried 110 characters at every
    # position of a long paragraph (a tenth of a cached rebuild)
    open_lines = sum(1 for line, following in zip(split, split[1:])
                     if len(line) >= OPEN_LINE_CHARS and line[-1] not in _CLOSERS and following[:1].strip())
    if lines < 8 or open_lines < WRAPPED_SHARE * lines:
        return text
    return _INNER_BREAK.sub(" ", text)


_SENTENCE_CHARS = re.compile(r"[()\n.!?]")


def split_sentences(text: str) -> tuple[tuple[int, int], ...]:
    """Sentence spans. A line break ends a sentence unless a parenthesis is still open,
    as when a citation wraps onto the next line ("... cold-blood (\\nDawn, May 13, 2015).")."""
    spans: list[tuple[int, int]] = []
    start = 0
    depth = 0
    i, n = 0, len(text)

    def close(end: int) -> None:
        nonlocal start
        s, e = start, end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
        start = end

    while i < n:
        if i - start < MAX_SENTENCE_CHARS:
            # only a bracket, a line break or a stop can end a sentence short of the limit: jump to
            # the next one (or to the limit) instead of looking at every character in Python
            found = _SENTENCE_CHARS.search(text, i, start + MAX_SENTENCE_CHARS)
            if found is None:
                i = min(n, start + MAX_SENTENCE_CHARS)
                continue
            i = found.start()
        c = text[i]
        if i - start >= MAX_SENTENCE_CHARS and (c.isspace() and (text[i - 1] in ",;:" or i - start >= 2 * MAX_SENTENCE_CHARS)
                                                 or i - start >= 3 * MAX_SENTENCE_CHARS):
            # an overlong "sentence" (a list, a run-on, unbalanced brackets) is read in pieces, so
            # that the reading of each place stays bounded: work grows linearly with the text
            close(i)
            depth = 0
        elif c == "(":
            depth += 1
        elif c == ")":
            depth = max(0, depth - 1)
        elif c == "\n" and depth == 0:
            close(i)
        elif c in ".!?" and depth == 0:
            j = i + 1
            while j < n and text[j] in "\"'’”)]":
                j += 1
            if (j >= n or text[j] in " \t\n") and not _ABBREVIATIONS.search(text[max(start, i - 12):i + 1]):
                k = j
                while k < n and text[k] in " \t":
                    k += 1
                if k >= n or text[k] == "\n" or text[k].isupper() or text[k] in "\"“‘'(0123456789[*":
                    close(j)
                    i = j
                    continue
        i += 1
    close(n)
    return tuple(spans)


#: Limits on the metadata sidecar: its size, one value, and the bad rows listed one line each.
MAX_SIDECAR_MB = 10
MAX_SIDECAR_CELL = 10_000
MAX_SIDECAR_PROBLEMS = 20


def read_sidecar(folder: Path, errors: list[str] | None = None, warnings: list[str] | None = None) -> dict[str, DocumentMeta]:
    """The metadata rows by document id. A file that cannot be read as the expected CSV raises
    CorpusError; a bad row is reported in ``errors`` (or raised) and skipped, or its bad date dropped."""
    path = folder / SIDECAR_NAME
    if not path.exists() and not path.is_symlink():
        return {}
    reported = 0

    def problem(msg: str) -> None:
        nonlocal reported
        if errors is None:
            raise CorpusError(msg)
        reported += 1
        if reported <= MAX_SIDECAR_PROBLEMS:
            errors.append(msg)

    why = _kind(path.lstat().st_mode)
    if why:
        raise CorpusError(f"{path}: {why}, not a regular file; no metadata read")
    if path.stat().st_size <= 65536 and not path.read_bytes().strip():
        msg = f"{path}: empty file; no metadata read"
        log.warning(msg) if warnings is None else warnings.append(msg)
        return {}
    try:
        # UTF-16 (Excel's "Unicode text"), Windows-1252 (Excel on Windows); binary files refused
        text = read_text_file(path, max_bytes=MAX_SIDECAR_MB * 2**20, warnings=warnings)
    except CorpusError as exc:
        raise CorpusError(str(exc).replace("one document (max_document_mb in [tool.geo_khorasan]); skipped",
                                           "the metadata file; no metadata read")) from None
    try:
        with io.StringIO(text, newline="") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or "id" not in reader.fieldnames:
                raise CorpusError(f"{path}: no 'id' column (expected columns: {', '.join(SIDECAR_FIELDS)})")
            repeated = sorted({f for f in reader.fieldnames if reader.fieldnames.count(f) > 1})
            if repeated:
                raise CorpusError(f"{path}: column {repeated[0]!r} appears twice in the header; no metadata read")
            unknown = set(reader.fieldnames) - set(SIDECAR_FIELDS)
            if unknown:
                raise CorpusError(f"{path}: unknown column(s) {', '.join(sorted(unknown))} "
                                  f"(expected columns: {', '.join(SIDECAR_FIELDS)})")
            out: dict[str, DocumentMeta] = {}
            first_line: dict[str, int] = {}
            for row in reader:
                line = reader.line_num
                if None in row:
                    problem(f"{path}: line {line}: {len(reader.fieldnames) + len(row[None])} fields, expected "
                            f"{len(reader.fieldnames)} (a comma inside a value needs \"quotes\"); row skipped")
                    continue
                doc_id = (row.get("id") or "").strip()
                if not doc_id:
                    if any((v or "").strip() for v in row.values()):
                        problem(f"{path}: line {line}: empty id; row skipped")
                    continue
                if doc_id in first_line:
                    problem(f"{path}: line {line}: id {doc_id!r} repeated (first on line {first_line[doc_id]}); row skipped")
                    continue
                first_line[doc_id] = line
                date = (row.get("date") or "").strip() or None
                if date and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", date):
                    problem(f"{path}: line {line}: date {date!r} is not ISO 8601 (YYYY, YYYY-MM or YYYY-MM-DD); "
                            f"date ignored")
                    date = None
                if any(len(v or "") > MAX_SIDECAR_CELL for v in row.values()):
                    problem(f"{path}: line {line}: a value over {MAX_SIDECAR_CELL} characters; row skipped")
                    continue
                out[doc_id] = DocumentMeta(
                    title=(row.get("title") or "").strip() or None, outlet=(row.get("outlet") or "").strip() or None,
                    author=(row.get("author") or "").strip() or None, date=date,
                    url=(row.get("url") or "").strip() or None)
            if reported > MAX_SIDECAR_PROBLEMS:
                errors.append(f"{path}: {reported - MAX_SIDECAR_PROBLEMS} more bad row(s) not listed")
            return out
    except csv.Error as exc:
        raise CorpusError(f"{path}: malformed CSV ({exc})") from exc


def _guess_title(text: str) -> str | None:
    first = text.strip().split("\n", 1)[0].strip()
    if 10 <= len(first) <= 160 and not first.endswith((".", ",", ";", ":")):
        return first
    return None


def read_document(path: Path, meta: DocumentMeta | None = None, *, max_bytes: int | None = MAX_DOCUMENT_MB * 2**20,
                  warnings: list[str] | None = None) -> Document:
    raw = read_text_file(path, max_bytes=max_bytes, warnings=warnings)
    suffix = path.suffix.lower()
    try:
        text = _html_to_text(raw) if suffix in HTML_SUFFIXES else _markdown_to_text(raw) if suffix in MARKDOWN_SUFFIXES else raw
    except _TooDeep as exc:
        raise CorpusError(f"{path}: {exc}; skipped") from None
    if not text.strip():
        raise CorpusError(f"{path}: no text after reducing {suffix} markup")
    text = unwrap_lines(text)
    meta = meta or DocumentMeta()
    if meta.url is None:
        # the article's own address is the one written on a line of its own, usually last
        own = [line.strip() for line in text.split("\n") if _URL.fullmatch(line.strip())]
        if own:
            meta = replace(meta, url=own[-1].rstrip(".,;"))
    if meta.title is None:
        meta = replace(meta, title=_guess_title(text))
    return Document(id=path.stem, path=str(path), text=text, meta=meta, sentences=split_sentences(text))


#: Document ids longer than this (in UTF-8 bytes) are refused: ``sources/<id>.html`` and the temporary
#: names it is written under must fit the 255-byte limit of file names.
MAX_ID_BYTES = 200
#: Ids of the site's own pages and folders, which a document's map must not replace.
RESERVED_IDS = ("index", "documents", "sources")


def display_name(path: Path | str) -> str:
    """``path`` printable on any terminal: bytes of a file name that are not UTF-8 shown as \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def id_key(doc_id: str) -> str:
    """What two ids must not share: the same letters after Unicode normalisation (NFC, as macOS
    may store names NFD) and case folding (case-insensitive disks)."""
    return unicodedata.normalize("NFC", doc_id).casefold()


def _kind(mode: int) -> str | None:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return None


def document_paths(folder: Path, problems: list[str] | None = None) -> list[Path]:
    """The document files of ``folder``: regular files only. Links (to files or folders), FIFOs and
    devices are skipped with one line each in ``problems``, as are names that cannot be ids."""
    out = []
    for p in sorted(folder.iterdir()):
        if p.name.startswith(".") or p.suffix.lower() not in DOCUMENT_SUFFIXES:
            continue
        try:
            mode = p.lstat().st_mode
        except OSError:
            continue
        why = _kind(mode)
        if why is None and stat.S_ISDIR(mode):
            continue
        if why is None:
            try:
                p.name.encode("utf-8")
            except UnicodeEncodeError:
                why = "named in bytes that are not UTF-8; rename it"
            else:
                if len(p.stem.encode("utf-8")) > MAX_ID_BYTES:
                    why = f"a file name over {MAX_ID_BYTES} bytes, too long for its map's page names; rename it"
        elif problems is not None:
            why = f"{why}, not a regular file (only files in the folder itself are read)"
        if why is None:
            out.append(p)
        elif problems is not None:
            problems.append(f"{display_name(p)}: {why}; skipped")
    return out


def read_corpus(folder: str | Path, errors: list[str] | None = None, *, warnings: list[str] | None = None,
                max_bytes: int | None = MAX_DOCUMENT_MB * 2**20) -> list[Document]:
    """Every document in ``folder``. Bad files are reported in ``errors`` (or raised) and skipped;
    files read with a guessed encoding are named in ``warnings`` (or logged)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(f"{folder}: not a folder")
    sidecar = read_sidecar(folder, errors, warnings)
    docs, seen = [], {}
    skipped: list[str] = []
    paths = document_paths(folder, skipped)
    if skipped and errors is None:
        raise CorpusError(skipped[0])
    (errors if errors is not None else []).extend(skipped)
    reserved = {id_key(r): r for r in RESERVED_IDS}
    for path in paths:
        # ids differing only in case or Unicode form would overwrite each other's maps on macOS and Windows
        key = id_key(path.stem)
        msg = None
        if key in reserved:
            msg = (f"{path}: document id {path.stem!r} would replace {reserved[key]}"
                   f"{'/' if reserved[key] == 'sources' else '.html'}, the site's own; rename the file; skipped")
        elif key in seen:
            msg = f"{path}: document id {path.stem!r} is also used by {seen[key].name}; skipped"
        if msg:
            if errors is None:
                raise CorpusError(msg)
            errors.append(msg)
            continue
        try:
            docs.append(read_document(path, sidecar.get(path.stem), max_bytes=max_bytes, warnings=warnings))
            seen[key] = path
        except (CorpusError, OSError) as exc:
            if errors is None:
                raise
            errors.append(str(exc) if isinstance(exc, CorpusError) else f"{path}: cannot read ({exc.strerror or exc})")
    files = {p.stem for p in paths}
    for doc_id in sorted(set(sidecar) - files):  # rows of files that could not be read were named above
        msg = f"{folder / SIDECAR_NAME}: row for {doc_id!r} matches no document"
        if warnings is None:
            log.warning(msg)
        else:
            warnings.append(msg)
    return docs


def _decode(data: bytes, path: Path) -> tuple[str, str | None]:
    """Text of ``data`` and, when it was not UTF-8, a line saying which encoding was guessed and where
    UTF-8 broke: Windows-1252 is what Word, Excel and many CMS exports write (curly quotes at
    0x91-0x94); Latin-1 when a byte is not Windows-1252."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        try:
            text, encoding = data.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError:
            text, encoding = data.decode("latin-1"), "Latin-1"
        return text, f"{path}: not UTF-8 (first at line {line}); read as {encoding}"
