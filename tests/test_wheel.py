"""`pip install` of the wheel into a fresh venv outside the repository, then `geo-khorasan build`
in an empty folder, with and without the gazetteer pack; the maps open offline in Chromium.

The venv reuses the installed dependencies (--system-site-packages) so that this runs with the
others; pip still brings what is missing (the XStatic packages) from the package index.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import REPO, SHARED_GAZETTEER
from test_browser import browser, tab  # noqa: F401  (fixtures; skips this module without chromium)

ARTICLES = {
    "kabul.txt": "IS-K claims Kabul attack\n\nA suicide bomber killed 12 people at a mosque in Kabul, "
                 "Afghanistan on March 5, 2023, officials said.\n",
    "takhar.txt": "Fighting in the north\n\nIslamic State Khorasan fighters were reported in the Takhar provinces "
                  "last year. The group also attacked Taliban posts in Afghanistan on July 31, 2023.\n",
    "peshawar.md": "# Peshawar blast\n\nA bomb killed 5 policemen in Peshawar, Pakistan in July 2018.\n",
}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The ``bin`` folder of a venv with the wheel built from this checkout installed."""
    root = tmp_path_factory.mktemp("wheel")
    wheels = root / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(REPO)],
                   check=True, cwd=root, env=_env(), capture_output=True)
    (wheel,) = wheels.glob("geo_khorasan-*.whl")
    venv.create(root / "venv", system_site_packages=True, with_pip=True)
    bin_dir = root / "venv" / "bin"
    subprocess.run([bin_dir / "python", "-m", "pip", "install", "-q", str(wheel)], check=True, cwd=root, env=_env(),
                   capture_output=True)
    return bin_dir


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEO_KHORASAN_", "PYTHON"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env | extra


def _run(bin_dir: Path, cwd: Path, *args: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([bin_dir / "geo-khorasan", *args], cwd=cwd, env=_env(**env), capture_output=True, text=True,
                          timeout=600)


def _articles(folder: Path) -> Path:
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, "utf-8")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3 binary")
    return folder


def test_the_installed_package_is_the_wheel_not_the_checkout(installed, tmp_path):
    code = "import geo_khorasan, geo_khorasan.paths as p; print(geo_khorasan.__file__); print(p.DATA_DIR)"
    out = subprocess.run([installed / "python", "-c", code], cwd=tmp_path, env=_env(), capture_output=True,
                         text=True, check=True).stdout.split("\n")
    assert "site-packages" in out[0] and not out[0].startswith(str(REPO))
    assert out[1].endswith("geo_khorasan/data") and "site-packages" in out[1]
    version = _run(installed, tmp_path, "--version")
    assert version.returncode == 0 and version.stdout.strip().startswith("geo-khorasan 0.")


@pytest.mark.parametrize("with_pack", [False, True], ids=["packaged-data", "gazetteer-pack"])
def test_build_in_an_empty_folder(installed, tmp_path, with_pack, tab):
    if with_pack and not SHARED_GAZETTEER.is_dir():
        pytest.skip(f"{SHARED_GAZETTEER} not found")
    work = tmp_path / "work"
    work.mkdir()
    _articles(work / "articles")
    args = ["build", "articles", "--out", "maps"] + (["--gazetteer", str(SHARED_GAZETTEER)] if with_pack else [])
    # without the pack: no per-user data either (an empty cache folder of its own)
    env = {} if with_pack else {"GEO_KHORASAN_CACHE": str(tmp_path / "cache")}
    result = _run(installed, work, *args, **env)
    assert result.returncode == 0, result.stderr
    maps = work / "maps"
    assert {"index.html", "documents.html", "kabul.html", "takhar.html", "peshawar.html", "incidents.geojson",
            "incidents.csv", "mentions.geojson"} <= {p.name for p in maps.iterdir()}
    assert [line for line in result.stderr.splitlines() if "scan.pdf" in line] == [
        f"geo-khorasan: warning: {Path('articles', 'scan.pdf')}: skipped: not text "
        "(articles are .htm, .html, .markdown, .md, .text, .txt files)"]
    mentions = json.loads((maps / "mentions.geojson").read_text("utf-8"))["features"]
    takhar = [m["properties"] for m in mentions if m["properties"]["text"].startswith("Takhar")]
    assert takhar and all(m["country"] == "AF" for m in takhar)  # never a namesake in China
    incidents = json.loads((maps / "incidents.geojson").read_text("utf-8"))["features"]
    assert {f["properties"]["place_name"] for f in incidents} >= {"Kabul", "Peshawar"}
    if not with_pack:
        assert "no gazetteer data folder" in result.stderr
        assert "naturalearth-lowres" in result.stderr  # the coarse country shapes
        quiet = _run(installed, work, "build", "articles", "--out", "maps", "-q", **env)
        assert quiet.returncode == 0 and "warning: data/" not in quiet.stderr and "no gazetteer" not in quiet.stderr
    page, watch = tab
    page.goto((maps / "index.html").as_uri())
    page.wait_for_function("window.gkReady === true", timeout=10000)
    assert page.locator("path.gk-country").count() > 0  # land, with or without the pack
    assert page.locator("path.gk-incident").count() == len(incidents)
    assert watch.blocked == [] and watch.errors == []


def test_entry_point_build_reads_all_data_from_the_wheel(installed, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    _articles(work / "articles")
    result = _run(installed, work, "-q", "build", "articles")
    assert result.returncode == 0, result.stderr
    assert (work / "maps" / "index.html").is_file()
