"""Hostile corpora: bombs, links out of the corpus, FIFOs, vanishing files.

Each bomb of issue 11 is reindexed in a child process next to an ordinary article: the
report names the bad file with its reason, the ordinary article is indexed and found, and
the child's peak memory (ru_maxrss) stays far below what the bomb would cost unbounded
(the 1 GiB line drove a reindex past 10 GB). Bounds are generous, not measurements: the
figures measured are in the README, "Limiti dei file".
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from search.archive import Archive
from search.cli import main
from search.indexer import reindex
from search.results import SearchRequest, search
from search.settings import Settings

MB = 1024 * 1024
PEAK_MB = 500  # a reindex of the sample corpus peaks near 150 MB

CHILD = """
import json, sys
from pathlib import Path

def peak_mb():
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so a child started from a
    # big pytest process would report the parent's peak.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

from search.indexer import reindex
from search.ingest import IngestLimits
from search.settings import Settings
corpus, index, limits = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
report = reindex(Settings(corpus_dir=Path(corpus), index_dir=Path(index),
                          limits=IngestLimits(**limits)))
print(json.dumps({
    "articles": report.articles,
    "skipped": {s.path: s.reason for s in report.skipped},
    "peak_mb": peak_mb(),
}))
"""

ORDINARY = {"id": "ordinario", "title": "Consiglio comunale", "body": "Approvato il bilancio."}


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ordinario.jsonl").write_text(json.dumps(ORDINARY) + "\n", encoding="utf-8")
    return corpus


def _reindex_child(corpus: Path, index: Path, **limits: int) -> dict:
    """Reindex in a child process; its report, and its peak memory in MB."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(corpus), str(index), json.dumps(limits)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
        cwd=Path(__file__).parents[1],
    )
    return json.loads(done.stdout.splitlines()[-1])


def _found(index: Path, query: str) -> set[str]:
    archive = Archive(index)
    try:
        return {hit.id for hit in search(archive, SearchRequest(query=query)).hits}
    finally:
        archive.close()


def _gzip_members(path: Path, parts: list[tuple[bytes, int]]) -> None:
    """A gzip of each part repeated: one stream to a reader, written in a second."""
    with path.open("wb") as out:
        for data, times in parts:
            member = gzip.compress(data, 9)
            for _ in range(times):
                out.write(member)


def _line_bomb(path: Path, line_mb: int) -> None:
    """The issue's bomb: a `.jsonl.gz` of about 1 MB holding one line of `line_mb` MB."""
    first = json.dumps({"id": "prima", "title": "Prima", "body": "La riga prima."}).encode()
    after = json.dumps({"id": "dopo", "title": "Dopo", "body": "La riga dopo."}).encode()
    _gzip_members(
        path,
        [
            (first + b'\n{"id": "enorme", "title": "Enorme", "body": "', 1),
            (b"a" * (64 * MB), line_mb // 64),
            (b'"}\n' + after + b"\n", 1),
        ],
    )


def test_a_1_gib_line_is_stopped_as_a_decompression_bomb(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    _line_bomb(corpus / "bomba.jsonl.gz", 1024)
    assert (corpus / "bomba.jsonl.gz").stat().st_size < 2 * MB
    result = _reindex_child(corpus, tmp_path / "index")
    assert "max_compression_ratio" in result["skipped"]["bomba.jsonl.gz"]
    assert result["articles"] == 2  # the ordinary article and the line before the bomb
    assert _found(tmp_path / "index", "bilancio") == {"ordinario"}
    assert result["peak_mb"] < PEAK_MB


def test_a_line_over_the_limit_is_never_held_whole(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    _line_bomb(corpus / "bomba.jsonl.gz", 128)
    result = _reindex_child(corpus, tmp_path / "index", max_compression_ratio=10**9)
    assert result["skipped"] == {
        "bomba.jsonl.gz#2": "riga troppo lunga: oltre 8 MB (limite max_line_bytes)"
    }
    assert result["articles"] == 3  # the lines before and after the long one are read
    assert result["peak_mb"] < PEAK_MB


@pytest.mark.slow
def test_a_1_gib_line_past_the_ratio_is_skipped_as_too_long(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    _line_bomb(corpus / "bomba.jsonl.gz", 1024)
    result = _reindex_child(corpus, tmp_path / "index", max_compression_ratio=10**9)
    assert "max_line_bytes" in result["skipped"]["bomba.jsonl.gz#2"]
    assert result["articles"] == 3
    assert result["peak_mb"] < PEAK_MB


def test_4_gib_of_newlines_stop_at_the_limits(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    _gzip_members(corpus / "a-capo.jsonl.gz", [(b"\n" * (64 * MB), 64)])  # 4 GiB, 4 MB
    result = _reindex_child(corpus, tmp_path / "index")
    assert "max_compression_ratio" in result["skipped"]["a-capo.jsonl.gz"]
    assert result["peak_mb"] < PEAK_MB
    result = _reindex_child(
        corpus, tmp_path / "index2", max_compression_ratio=10**9, max_decompressed_bytes=256 * MB
    )
    assert result["skipped"] == {
        "a-capo.jsonl.gz": "il file decompresso supera 256 MB (limite max_decompressed_bytes): "
        "letto fino a lì"
    }
    assert result["articles"] == 1
    assert result["peak_mb"] < PEAK_MB


def test_100k_nested_divs_in_a_jsonl_body_are_indexed(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    body = "<div>" * 100_000 + "Il testo annidato del sindaco" + "</div>" * 100_000
    record = {"id": "annidato", "title": "Annidato", "body": body}
    (corpus / "annidato.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = _reindex_child(corpus, tmp_path / "index")
    assert result["skipped"] == {}
    assert _found(tmp_path / "index", "annidato sindaco") == {"annidato"}
    assert result["peak_mb"] < PEAK_MB


def test_a_page_nested_100k_deep_is_skipped_with_its_reason(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    text = "<p>" + "Il consiglio comunale ha approvato il piano del traffico. " * 10 + "</p>"
    page = (
        "<html><head><title>Approvato il piano del traffico del centro</title></head><body>"
        + "<div>" * 100_000
        + text
        + "</div>" * 100_000
        + "</body></html>"
    )
    (corpus / "annidata.html").write_text(page, encoding="utf-8")
    result = _reindex_child(corpus, tmp_path / "index")
    assert "max_html_depth" in result["skipped"]["annidata.html"]
    assert result["articles"] == 1
    assert result["peak_mb"] < PEAK_MB


def test_a_92_mb_article_is_skipped_and_a_2_mb_one_too(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    with (corpus / "enorme.jsonl").open("w", encoding="utf-8") as out:
        out.write(json.dumps({"id": "92mb", "title": "Enorme", "body": "parola " * 13_800_000}))
        out.write("\n" + json.dumps({"id": "2mb", "title": "Lungo", "body": "testo " * 350_000}))
        out.write("\n" + json.dumps({"id": "normale", "title": "Normale", "body": "Breve."}))
    result = _reindex_child(corpus, tmp_path / "index")
    assert result["skipped"]["enorme.jsonl#1"] == (
        "riga troppo lunga: oltre 8 MB (limite max_line_bytes)"
    )
    assert result["skipped"]["enorme.jsonl#2"].startswith("articolo «2mb» troppo lungo: 2.100.")
    assert result["articles"] == 2  # the ordinary one and "normale"
    assert result["peak_mb"] < PEAK_MB


def _reasons(report_skipped: list) -> dict[str, str]:
    return {s.path: s.reason for s in report_skipped}


def test_links_out_of_the_corpus_are_not_followed(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    outside = tmp_path / "fuori"
    (outside / "cartella").mkdir(parents=True)
    secret = {"id": "segreto", "title": "Segreto", "body": "Una password riservata."}
    (outside / "segreto.jsonl").write_text(json.dumps(secret) + "\n", encoding="utf-8")
    other = {"id": "altro", "title": "Altro", "body": "Un altro testo riservato."}
    (outside / "cartella" / "altro.jsonl").write_text(json.dumps(other) + "\n", encoding="utf-8")
    (corpus / "passwd.jsonl").symlink_to(outside / "segreto.jsonl")
    (corpus / "archivio").symlink_to(outside / "cartella")
    (corpus / "copia.jsonl").symlink_to(corpus / "ordinario.jsonl")  # inside: read as usual
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    report = reindex(settings)
    reasons = _reasons(report.skipped)
    assert reasons["passwd.jsonl"].startswith("collegamento simbolico a ")
    assert "fuori dalla cartella del corpus" in reasons["passwd.jsonl"]
    assert "--follow-symlinks" in reasons["archivio"]
    assert _found(settings.index_dir, "riservato") == set()
    assert report.articles == 1 and report.duplicates == 1  # the inside link is a copy

    followed = Settings(
        corpus_dir=corpus, index_dir=settings.index_dir, follow_symlinks_outside=True
    )
    report = reindex(followed)
    assert not [s for s in report.skipped if "collegamento" in s.reason]
    assert _found(settings.index_dir, "riservato") == {"segreto", "altro"}


def test_the_cli_follows_links_only_when_asked(tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    corpus = _corpus(tmp_path)
    outside = tmp_path / "fuori.jsonl"
    outside.write_text(json.dumps({"id": "f", "title": "Fuori", "body": "Esterno."}) + "\n")
    (corpus / "fuori.jsonl").symlink_to(outside)
    index = str(tmp_path / "index")
    result = runner.invoke(main, ["reindex", "--corpus", str(corpus), "--index", index, "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["articles"] == 1
    args = ["reindex", "--corpus", str(corpus), "--index", index, "--json", "--follow-symlinks"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0
    assert json.loads(result.output)["articles"] == 2


def test_system_files_are_never_read_even_when_following_links(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    (corpus / "ambiente.txt").symlink_to("/proc/self/environ")
    settings = Settings(
        corpus_dir=corpus, index_dir=tmp_path / "index", follow_symlinks_outside=True
    )
    reasons = _reasons(reindex(settings).skipped)
    assert "file di sistema" in reasons["ambiente.txt"]


def test_a_fifo_in_the_corpus_does_not_hang_the_reindex(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    os.mkfifo(corpus / "attesa.jsonl")
    os.mkfifo(corpus / "nota.fifo")  # not a corpus format: passed over in silence
    result = _reindex_child(corpus, tmp_path / "index")  # a hang fails on the timeout
    assert result["skipped"] == {"attesa.jsonl": "non è un file regolare ma una FIFO: non si legge"}
    assert result["articles"] == 1


def test_a_fifo_swapped_in_after_discovery_is_not_read(tmp_path: Path) -> None:
    from search.errors import SkipInput
    from search.ingest import read_articles

    os.mkfifo(tmp_path / "scambio.txt")

    class Hung(Exception):  # not an OSError, which the reader would report as a reason
        pass

    def hung(signum: int, frame: object) -> None:
        raise Hung

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    try:
        with pytest.raises(SkipInput, match="non è un file regolare ma una FIFO"):
            list(read_articles(tmp_path / "scambio.txt", "scambio.txt"))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_file_deleted_during_a_full_reindex_is_skipped(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    for name in ("b", "c"):
        record = {"id": name, "title": f"Articolo {name}", "body": "Un testo qualunque."}
        (corpus / f"{name}.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")

    def delete_the_next(label: str, size: int, articles: int) -> None:
        if label == "b.jsonl":
            (corpus / "c.jsonl").unlink()

    report = reindex(settings, full=True, on_file=delete_the_next)
    assert _reasons(report.skipped) == {
        "c.jsonl": "il file non c'è più: cancellato durante la reindicizzazione"
    }
    assert report.articles == 2
    again = reindex(settings)  # the vanished file leaves the manifest quietly
    assert (again.skipped, again.articles, again.removed) == ([], 2, 0)


def test_many_broken_lines_are_summarised_at_every_run(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    (corpus / "rotto.jsonl").write_text("{rotta\n" * 50_000, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    for run in (reindex(settings, full=True), reindex(settings)):
        broken = [s for s in run.skipped if s.path.startswith("rotto.jsonl")]
        assert len(broken) == 21
        assert broken[-1].reason.startswith("e altri 49.980 scartati in questo file")
    assert run.files_unchanged == 2  # the second run re-read nothing


def test_a_utf16_text_file_is_indexed_not_skipped_as_binary(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    text = "# Il sindaco è arrivato in città\n\nLa visita è durata più del previsto.\n"
    (corpus / "utf16.txt").write_bytes(text.encode("utf-16"))
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    report = reindex(settings)
    assert report.skipped == []
    assert _found(settings.index_dir, "visita previsto") == {"utf16.txt"}


def test_a_file_swapped_for_a_link_out_of_the_corpus_while_reading_is_not_read(
    tmp_path: Path,
) -> None:
    """The folder is listed before the files are read: a file swapped for a link to
    /etc/passwd (or to a secret next to the corpus) in between must not be indexed."""
    corpus = _corpus(tmp_path)
    secret = tmp_path / "segreto.txt"
    secret.write_text("# Segreto\n\nLa password riservata del server.\n", encoding="utf-8")
    (corpus / "z.txt").write_text("# Cronaca\n\nUn articolo qualunque.\n", encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")

    def swap(label: str, size: int, articles: int) -> None:
        if label == "ordinario.jsonl":
            (corpus / "z.txt").unlink()
            (corpus / "z.txt").symlink_to(secret)

    report = reindex(settings, full=True, on_file=swap)
    reason = _reasons(report.skipped)["z.txt"]
    assert "fuori dalla cartella del corpus" in reason and str(secret) in reason
    assert _found(settings.index_dir, "password") == set()
    assert report.articles == 1

    # Following links out of the corpus is the user's choice: then it is read.
    (corpus / "z.txt").unlink()
    (corpus / "z.txt").write_text("# Cronaca\n\nUn articolo qualunque.\n", encoding="utf-8")
    followed = Settings(
        corpus_dir=corpus, index_dir=tmp_path / "index", follow_symlinks_outside=True
    )
    report = reindex(followed, full=True, on_file=swap)
    assert report.skipped == [] and _found(settings.index_dir, "password") == {"z.txt"}


def test_a_file_name_not_in_utf8_is_skipped_and_the_rest_indexed(
    tmp_path: Path,
    runner,  # type: ignore[no-untyped-def]
) -> None:
    corpus = _corpus(tmp_path)
    raw = os.fsencode(corpus) + b"/nome\xffstrano.txt"
    with open(raw, "wb") as handle:
        handle.write(b"# Titolo\n\nTesto dell'articolo dal nome strano.\n")
    os.mkdir(os.fsencode(corpus) + b"/cartella\xe9")
    index = str(tmp_path / "index")
    for full in ([], ["--full"]):
        args = ["reindex", "--corpus", str(corpus), "--index", index, *full]
        result = runner.invoke(main, [*args, "--json"])
        assert result.exit_code == 0, result.output
        report = json.loads(result.output)
        assert report["articles"] == 1
        reasons = {s["path"]: s["reason"] for s in report["skipped"]}
        assert set(reasons) == {"nome\\xffstrano.txt", "cartella\\xe9"}
        assert all("non è in UTF-8" in reason for reason in reasons.values())
        printed = runner.invoke(main, args)
        assert printed.exit_code == 0 and "nome\\xffstrano.txt" in printed.output
    assert _found(Path(index), "bilancio") == {"ordinario"}
