from __future__ import annotations

import pytest

from search.errors import SkipInput
from search.ingest.text import decode_html, normalise_text, strip_html


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        ("Perch&eacute; &egrave; gi&agrave; cos&igrave;", "Perché è già così"),
        ("L&#039;orso &amp; il lupo", "L'orso & il lupo"),
        # An escaped tag is text the author wrote: it stays, as text, for the page to escape.
        ("Scrivi &lt;script&gt;alert(1)&lt;/script&gt;", "Scrivi <script>alert(1)</script>"),
        ("<div><p>Uno <b>due <i>tre</i></b> quattro</p></div>", "Uno due tre quattro"),
        ("<p>Primo</p><p>Secondo<br>terzo</p>", "Primo\n\nSecondo\n\nterzo"),
        ("<p>Primo</p>\n\n\n<p>   Secondo   </p>", "Primo\n\nSecondo"),
        ("<ul><li>uno</li><li>due</li></ul>", "uno\n\ndue"),
        ("Testo<script>alert('x')</script><style>p { color: red }</style> finale", "Testo finale"),
        ("<!-- nota della redazione -->Notizia", "Notizia"),
        ("3 < 5 &amp; 7 > 2", "3 < 5 & 7 > 2"),
        ("a&nbsp;&nbsp;b", "a b"),
        ("", ""),
    ],
)
def test_strip_html(fragment: str, text: str) -> None:
    assert strip_html(fragment) == text


def test_plain_text_is_only_normalised() -> None:
    text = "  Roma,   12 aprile \n\n\n\n Il sindaco  "
    assert strip_html(text) == "Roma, 12 aprile\n\nIl sindaco"


def test_normalise_text_composes_accents_and_drops_invisible_characters() -> None:
    decomposed = "perche\u0301 gior\u00adnale\u200b"
    assert normalise_text(decomposed) == "perch\u00e9 giornale"


def test_normalise_text_keeps_lines_and_one_blank_line() -> None:
    text = "\r\n Titolo \r\nsottotitolo\r\n\r\n\r\n\r\n  corpo\t del  testo \n"
    assert normalise_text(text) == "Titolo\nsottotitolo\n\ncorpo del testo"


def test_decode_html_reads_undeclared_windows_1252_as_italian() -> None:
    # Unrestricted detection took this for cp1250 and gave "č" for "è".
    page = "<html><body><p>Perché è già più città, l’orso è tornato</p></body></html>"
    assert "Perché è già più città, l’orso" in decode_html(page.encode("cp1252"))


def test_decode_html_prefers_valid_utf8_to_a_wrong_declaration() -> None:
    page = '<meta charset="iso-8859-1"><p>Perché è già</p>'
    assert "Perché è già" in decode_html(page.encode("utf-8"))


def test_decode_html_honours_the_http_charset() -> None:
    # 0xA4 is "€" in ISO-8859-15 but "¤" in windows-1252, the guess without a declaration.
    page = "<p>Costa 5 € al chilo</p>".encode("iso-8859-15")
    assert "5 € al" in decode_html(page, "iso-8859-15")
    assert "5 € al" not in decode_html(page)


@pytest.mark.parametrize("data", [b"", b" \n\t ", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"])
def test_decode_html_refuses_empty_and_binary_data(data: bytes) -> None:
    with pytest.raises(SkipInput):
        decode_html(data)
