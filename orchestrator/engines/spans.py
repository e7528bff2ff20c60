"""Free-text values copied from the request while they are decoded: grounding's rule
(``request/grounding.py``: a free-text value is a span of the request) applied token by token.

The adapters learn to copy values, and mostly do; where the request says something their value
pools hold a neighbour of, they sometimes write the neighbour instead ("play upbeat workout music"
gave ``query="hallelujah"``, "put on some lofi beats" ``"loves"``, "play classic rock" ``"rock
music"``). Grounding can only ask for such a value afterwards. Inside a free-text string (a string
parameter with no ``enum``, ``const``, ``format`` or ``pattern``) each next token must therefore
continue the value as one of the request's spans: the value starts where a word of the request
starts, goes on as the request goes on, and the closing quote comes only where a word ends (or at
once: an empty value is the adapters' way to say the request leaves it out). Spans are matched as
written, case included. Where no token of the model's vocabulary continues a span (a character
only byte tokens spell), or the request holds a quote or a backslash (JSON would escape them),
decoding goes on under the grammar alone and grounding checks the value afterwards.
"""

from __future__ import annotations

import re
import unicodedata

import xgrammar as xgr

# Longest stretch of the request one token may cover, in characters.
MAX_TOKEN_CHARS = 32
# The value being written: the last key and the open string after it, in the JSON decoded so far
# (the grammar writes ``"key": "`` with one space).
_OPEN_STRING = re.compile(rb'"([^"\\]+)": "((?:[^"\\]|\\.)*)$')


class TokenIndex:
    """The tokens of a vocabulary that write a given text, read from the tokenizer's own vocabulary
    (its keys spell a token's bytes by the vocabulary's convention, ``xgrammar.VocabType``:
    SentencePiece's "▁" for a space, GPT-2's printable stand-ins for bytes, or the text itself),
    and the tokens that open with a quote: what may end a string. A dictionary lookup per text:
    decoding all of Gemma's 262k tokens once costs 0.8 s of a cold start."""

    def __init__(self, vocab: dict[str, int], vocab_type: xgr.VocabType) -> None:
        self.vocab = vocab
        self.vocab_type = vocab_type
        self.closing = [token for key, token in vocab.items() if key.startswith('"')]
        self._byte_keys = _gpt2_byte_keys() if vocab_type == xgr.VocabType.BYTE_LEVEL else {}

    def tokens(self, text: str) -> list[int]:
        """The token that writes ``text`` exactly, if the vocabulary has one."""
        if self.vocab_type == xgr.VocabType.BYTE_FALLBACK:
            if "\u2581" in text:  # the spelling of a space: no token writes it as itself
                return []
            key = text.replace(" ", "\u2581")
        elif self.vocab_type == xgr.VocabType.BYTE_LEVEL:
            key = "".join(self._byte_keys[byte] for byte in text.encode())
        else:
            key = text
        token = self.vocab.get(key)
        return [] if token is None else [token]


def _gpt2_byte_keys() -> dict[int, str]:
    """GPT-2's byte-level vocabulary spelling: printable bytes stand for themselves, the others
    (a space, control bytes) for characters from U+0100 on, in byte order."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    keys, extra = {}, 0
    for byte in range(256):
        if byte in printable:
            keys[byte] = chr(byte)
        else:
            keys[byte] = chr(256 + extra)
            extra += 1
    return keys


class SpanGuide:
    """The tokens that keep one request's free-text values spans of it."""

    def __init__(self, text: str, free_parameters: set[str], index: TokenIndex) -> None:
        self.text = text
        self.free_parameters = free_parameters
        self.index = index
        self.starts = [i for i in range(len(text)) if _starts_word(text, i)]

    @classmethod
    def for_request(cls, text: str | None, free_parameters: set[str], index: TokenIndex) -> SpanGuide | None:
        """A guide, or None where there is nothing to guide: no request text, no free-text
        parameter, or a request JSON would escape."""
        if not text or not free_parameters or '"' in text or "\\" in text:
            return None
        return cls(text, free_parameters, index)

    def allowed(self, written: bytes) -> list[int] | None:
        """The tokens that may come next after the JSON ``written`` so far, or None where no
        free-text value is open or the open one is no span of the request (byte tokens
        mid-character, a value the guide did not see start)."""
        open_string = _OPEN_STRING.search(written)
        if not open_string or open_string.group(1).decode("utf-8", "replace") not in self.free_parameters:
            return None
        try:
            value = open_string.group(2).decode("utf-8")
        except UnicodeDecodeError:
            return None
        ends = [start + len(value) for start in self._occurrences(value)]
        if not ends:
            return None
        tokens: set[int] = set()
        for end in ends:
            ahead = self.text[end : end + MAX_TOKEN_CHARS]
            for length in range(1, len(ahead) + 1):
                tokens.update(self.index.tokens(ahead[:length]))
            if not value or (not value[-1].isspace() and _ends_word(self.text, end)):
                tokens.update(self.index.closing)
        return sorted(tokens)

    def _occurrences(self, value: str) -> list[int]:
        """Where ``value`` starts in the request at the start of a word."""
        if not value:
            return list(self.starts)
        return [start for start in self.starts if self.text.startswith(value, start)]


def _starts_word(text: str, i: int) -> bool:
    """Whether a span may start at ``text[i]``: a letter or digit after anything else but a letter
    or digit of a spaced script, or any character of a script written without spaces (each is a
    word there). "我想听Adele的歌" names Adele right after 听."""
    char = text[i]
    if _unspaced(char):
        return not char.isspace()
    return char.isalnum() and (i == 0 or not text[i - 1].isalnum() or _unspaced(text[i - 1]))


def _ends_word(text: str, end: int) -> bool:
    """Whether a span may end before ``text[end]``: not inside a word of a spaced script."""
    if end >= len(text) or end == 0:
        return True
    before, after = text[end - 1], text[end]
    return not (before.isalnum() and after.isalnum()) or _unspaced(before) or _unspaced(after)


def _unspaced(char: str) -> bool:
    """Whether ``char`` is of a script written without spaces between words (Chinese, Japanese)."""
    return unicodedata.east_asian_width(char) in ("W", "F")
