"""Free-text values decoded as spans of the request (``engines/spans.py``)."""

from __future__ import annotations

import pytest

from orchestrator.engines.spans import SpanGuide, TokenIndex

# A small vocabulary: what each token writes.
VOCAB = [b'"', b'",', b'"}', b" ", b"p", b"put", b" on", b" some", b" l", b"lo", b"l", b"fi", b"ofi", b"ves",
         b" beats", b"beats", b"b", b"Lo", b"\xe6", b"\xe5\x91\xa8", b"\xe6\x9d\xb0", b"\xe4\xbc\xa6"]  # fmt: skip
INDEX = TokenIndex(VOCAB)
FREE = {"query"}


def allowed(text: str, written: str) -> set[bytes] | None:
    tokens = SpanGuide.for_request(text, FREE, INDEX).allowed(written.encode())
    return None if tokens is None else {VOCAB[token] for token in tokens}


def test_a_value_starts_where_a_word_starts() -> None:
    starts = allowed("put on some lofi beats", '{"query": "')
    assert {b"p", b"put", b"lo", b"l", b"beats", b"b"} <= starts
    assert b'"' in starts  # an empty value: the request leaves it out
    assert not {b"ofi", b"fi", b"ves", b"Lo"} & starts  # inside a word; a case the request does not write


def test_a_value_goes_on_as_the_request_goes_on() -> None:
    assert allowed("put on some lofi beats", '{"query": "lo') == {b"fi"}  # not "ves": no "loves" here
    assert allowed("put on some lofi beats", '{"query": "lofi') == {b" ", b" beats", b'"', b'",', b'"}'}
    assert allowed("put on some lofi beats", '{"query": "lofi beats') == {b'"', b'",', b'"}'}


def test_only_free_text_is_guided() -> None:
    assert allowed("put on some lofi beats", '{"mode": "') is None  # an enum: the grammar's
    assert allowed("put on some lofi beats", '{"query": "lofi", "mode": "') is None
    assert allowed("put on some lofi beats", '{"query": "lofi"') is None  # closed
    assert allowed("put on some lofi beats", '{"query": "loves') is None  # no span: grounding's


def test_a_script_without_spaces_starts_anywhere() -> None:
    assert {b"\xe5\x91\xa8"} <= allowed("播放周杰伦的歌", '{"query": "')
    assert allowed("播放周杰伦的歌", '{"query": "周') == {b"\xe6\x9d\xb0", b'"', b'",', b'"}'}


@pytest.mark.parametrize("text", ['say "hi" to mom', "a\\b", "", None])
def test_no_guide_where_json_would_escape_or_there_is_no_request(text: str | None) -> None:
    assert SpanGuide.for_request(text, FREE, INDEX) is None


def test_spans_end_to_end(orchestrator) -> None:
    """Router, adapter and decoder end to end: unguided, the android adapter wrote a song of its
    training data for "play upbeat workout music" (``query="hallelujah"``), and the call asked."""
    call = orchestrator.run("play upbeat workout music")
    assert call.function == "play_music" and not call.needs_input
    assert call.arguments["query"].lower() in "play upbeat workout music"
