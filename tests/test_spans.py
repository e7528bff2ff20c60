"""Free-text values decoded as spans of the request (``engines/spans.py``)."""

from __future__ import annotations

import pytest
import xgrammar as xgr

from orchestrator.engines.spans import SpanGuide, TokenIndex

# A small vocabulary, spelt as its text (``VocabType.RAW``).
VOCAB = ['"', '",', '"}', " ", "p", "put", " on", " some", " l", "lo", "l", "fi", "ofi", "ves", " beats", "beats",
         "b", "Lo", "周", "杰", "伦"]  # fmt: skip
INDEX = TokenIndex({text: token for token, text in enumerate(VOCAB)}, xgr.VocabType.RAW)
FREE = {"query"}


def allowed(text: str, written: str) -> set[str] | None:
    tokens = SpanGuide.for_request(text, FREE, INDEX).allowed(written.encode())
    return None if tokens is None else {VOCAB[token] for token in tokens}


def test_a_value_starts_where_a_word_starts() -> None:
    starts = allowed("put on some lofi beats", '{"query": "')
    assert {"p", "put", "lo", "l", "beats", "b"} <= starts
    assert '"' in starts  # an empty value: the request leaves it out
    assert not {"ofi", "fi", "ves", "Lo"} & starts  # inside a word; a case the request does not write


def test_a_value_goes_on_as_the_request_goes_on() -> None:
    assert allowed("put on some lofi beats", '{"query": "lo') == {"fi"}  # not "ves": no "loves" here
    assert allowed("put on some lofi beats", '{"query": "lofi') == {" ", " beats", '"', '",', '"}'}
    assert allowed("put on some lofi beats", '{"query": "lofi beats') == {'"', '",', '"}'}


def test_only_free_text_is_guided() -> None:
    assert allowed("put on some lofi beats", '{"mode": "') is None  # an enum: the grammar's
    assert allowed("put on some lofi beats", '{"query": "lofi", "mode": "') is None
    assert allowed("put on some lofi beats", '{"query": "lofi"') is None  # closed
    assert allowed("put on some lofi beats", '{"query": "loves') is None  # no span: grounding's


def test_a_script_without_spaces_starts_anywhere() -> None:
    assert "周" in allowed("播放周杰伦的歌", '{"query": "')
    assert allowed("播放周杰伦的歌", '{"query": "周') == {"杰", '"', '",', '"}'}


def test_a_spaced_word_starts_and_ends_where_an_unspaced_script_meets_it() -> None:
    """A Latin name or address inside Chinese is a word of its own: the guide once let a value
    start only after a space, and "我想听Adele的歌" got no artist, "写邮件给tom@example.com" the
    recipient "com"."""
    assert {"p", "put"} <= allowed("周put on", '{"query": "')
    assert allowed("周put周", '{"query": "put') == {"周", '"', '",', '"}'}
    assert "ofi" not in allowed("周lofi", '{"query": "')


@pytest.mark.parametrize("text", ['say "hi" to mom', "a\\b", "", None])
def test_no_guide_where_json_would_escape_or_there_is_no_request(text: str | None) -> None:
    assert SpanGuide.for_request(text, FREE, INDEX) is None


def test_the_index_spells_tokens_as_the_tokenizer_decodes_them(embedded_base) -> None:
    """The default base's SentencePiece vocabulary: the token looked up writes the text."""
    from orchestrator.engines.constraints import CallConstraints

    info = CallConstraints.for_base(embedded_base).tokenizer_info
    index = TokenIndex(embedded_base.tokenizer.get_vocab(), info.vocab_type)
    decoded = info.decoded_vocab
    for text in (" beats", "lo", "fi", '"}', '{"', " "):
        assert [decoded[token] for token in index.tokens(text)] == [text.encode()]
    assert index.tokens("\u2581") == []  # SentencePiece's spelling of a space is no text of its own


def test_byte_level_spelling() -> None:
    """GPT-2's convention (SmolLM2's vocabulary): a space is "Ġ", printable bytes themselves."""
    index = TokenIndex({"Ġbeats": 7, "ĠĠ": 8, "é": 9}, xgr.VocabType.BYTE_LEVEL)
    assert index.tokens(" beats") == [7] and index.tokens("  ") == [8]
    assert index.tokens("é") == []  # two bytes, each spelt on its own: "Ã©"


def test_spans_end_to_end(orchestrator) -> None:
    """Router, adapter and decoder end to end: unguided, the android adapter wrote a song of its
    training data for "play upbeat workout music" (``query="hallelujah"``), and the call asked."""
    call = orchestrator.run("play upbeat workout music")
    assert call.function == "play_music" and not call.needs_input
    assert call.arguments["query"].lower() in "play upbeat workout music"
