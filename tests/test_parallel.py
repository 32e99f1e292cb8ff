"""Reading in parallel: ``build --jobs N`` and ``build --dask ADDRESS`` (or the Python API with a
``dask.distributed.Client``) write the same bytes as a serial build, and a document whose analysis
fails in a worker is still one line naming its file."""
from __future__ import annotations

import multiprocessing
import sys

import pytest
from _corpus import A_TEXT, B_TEXT, build_into, lines, make_seeds, private_cache, snapshot  # noqa: F401

import geo_khorasan
from geo_khorasan import cache, pipeline

C_TEXT = "IS-K fighters have a stronghold in Kunar, officials said. A bomb went off in Jalalabad on March 3, 2019.\n"
D_TEXT = "Gunmen attacked a checkpoint in Peshawar on May 2, 2020, killing four policemen. Police in Kohat were on alert.\n"


@pytest.fixture
def seeds(tmp_path):
    return make_seeds(tmp_path / "seeds", a=A_TEXT, b=B_TEXT, c=C_TEXT, d=D_TEXT)


def _build(capsys, gazetteer, seeds, out, *extra):
    return build_into(capsys, gazetteer, seeds, out, "--no-cache", *extra)


def test_jobs_write_the_bytes_of_a_serial_build(capsys, gazetteer, seeds, tmp_path):
    code, serial_out, err = _build(capsys, gazetteer, seeds, tmp_path / "serial", "--jobs", "1")
    assert code == 0, err
    code, parallel_out, err = _build(capsys, gazetteer, seeds, tmp_path / "parallel", "--jobs", "2")
    assert code == 0, err
    assert lines(parallel_out) == [lines(serial_out)[0].replace(str(tmp_path / "serial"), str(tmp_path / "parallel"))]
    assert "4 documents (4 analysed, 0 from cache)" in parallel_out
    assert snapshot(tmp_path / "serial") == snapshot(tmp_path / "parallel")


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="the failure is planted before the fork")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_document_failing_in_a_worker_is_one_line_naming_its_file(capsys, gazetteer, seeds, tmp_path, monkeypatch,
                                                                    jobs):
    analyse = pipeline.analyse

    def failing(doc, *args):
        if doc.id == "c":
            raise ValueError("planted failure\nsecond line")
        return analyse(doc, *args)

    monkeypatch.setattr(pipeline, "analyse", failing)  # the workers are forked with it
    code, stdout, err = _build(capsys, gazetteer, seeds, tmp_path / "maps", "--jobs", jobs)
    assert code == 0
    assert lines(err) == [f"geo-khorasan: {seeds / 'c.txt'}: cannot be analysed (ValueError: planted failure); skipped"]
    assert "3 documents (3 analysed, 0 from cache)" in stdout
    assert not (tmp_path / "maps" / "c.html").exists() and (tmp_path / "maps" / "d.html").is_file()


def test_jobs_must_be_a_positive_number(capsys, gazetteer, seeds, tmp_path):
    code, _, err = _build(capsys, gazetteer, seeds, tmp_path / "maps", "--jobs", "0")
    assert (code, lines(err)) == (2, ["geo-khorasan: build: argument --jobs/-j: '0' is not a whole number of 1 or more "
                                      "(see geo-khorasan build --help)"])


def test_dask_without_dask_installed_is_one_line(capsys, gazetteer, seeds, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as when it is not installed
    code, _, err = _build(capsys, gazetteer, seeds, tmp_path / "maps", "--dask", "tcp://127.0.0.1:8786")
    assert (code, lines(err)) == (2, ["geo-khorasan: build --dask: needs Dask; pip install 'geo_khorasan[dask]'"])
    assert not (tmp_path / "maps").exists()


def test_a_dask_cluster_writes_the_bytes_of_a_serial_build(capsys, gazetteer, seeds, tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    serial = tmp_path / "serial"
    assert not pipeline.build(seeds, serial, gazetteer, jobs=1).errors
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  scheduler_port=0, host="127.0.0.1") as cluster:
        with distributed.Client(cluster) as client:
            report = geo_khorasan.build(seeds, tmp_path / "api", gazetteer, client=client)
            assert (report.errors, report.analysed) == ([], 4)
            assert len(client.scheduler_info()["workers"]) == 2
        code, stdout, err = _build(capsys, gazetteer, seeds, tmp_path / "cli", "--dask", cluster.scheduler_address)
        assert code == 0, err
        assert "4 documents (4 analysed, 0 from cache)" in stdout
        with monkeypatch.context() as m:  # workers with other code would write other maps
            m.setattr(cache, "code_version", lambda: "another version")
            code, _, err = _build(capsys, gazetteer, seeds, tmp_path / "other", "--dask", cluster.scheduler_address)
        assert code == 2
        assert lines(err)[0].startswith("geo-khorasan: Dask worker tcp://127.0.0.1:")
        assert lines(err)[0].endswith(" runs another version of geo_khorasan (2 of 2 workers); install this one there")
    assert snapshot(serial) == snapshot(tmp_path / "api") == snapshot(tmp_path / "cli")
