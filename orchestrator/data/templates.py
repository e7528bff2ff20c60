"""A tiny template language for request phrasing: ``(a|b)`` picks one, ``[x]`` is optional, ``{p}`` a slot.

Slots are filled with a value for parameter ``p`` and the value becomes that argument of the call,
so every generated request carries the exact arguments it mentions.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Node = Any  # str | Slot | Optional | Choice | list[Node]


@dataclass(frozen=True)
class Slot:
    param: str


@dataclass(frozen=True)
class Opt:
    body: list


@dataclass(frozen=True)
class Choice:
    options: list


class TemplateError(ValueError):
    pass


def parse(text: str) -> list:
    """Parse a template into nodes; raises TemplateError on unbalanced brackets."""
    nodes, pos = _parse_seq(text, 0, closers="")
    if pos != len(text):
        raise TemplateError(f"unexpected {text[pos]!r} at {pos} in {text!r}")
    return nodes


def _parse_seq(text: str, pos: int, closers: str) -> tuple[list, int]:
    seq: list = []
    buf = ""
    while pos < len(text):
        ch = text[pos]
        if ch in closers or (ch == "|" and ")" in closers):
            break
        if ch in "[({":
            if buf:
                seq.append(buf)
                buf = ""
            if ch == "{":
                end = text.find("}", pos)
                if end < 0:
                    raise TemplateError(f"unclosed {{ in {text!r}")
                seq.append(Slot(text[pos + 1 : end].strip()))
                pos = end + 1
                continue
            if ch == "[":
                body, pos = _parse_seq(text, pos + 1, closers="]")
                if pos >= len(text) or text[pos] != "]":
                    raise TemplateError(f"unclosed [ in {text!r}")
                seq.append(Opt(body))
                pos += 1
                continue
            options = []
            pos += 1
            while True:
                body, pos = _parse_seq(text, pos, closers=")")
                options.append(body)
                if pos >= len(text):
                    raise TemplateError(f"unclosed ( in {text!r}")
                if text[pos] == ")":
                    pos += 1
                    break
                pos += 1  # skip '|'
            seq.append(Choice(options))
            continue
        if ch in "])}":
            raise TemplateError(f"unbalanced {ch!r} in {text!r}")
        buf += ch
        pos += 1
    if buf:
        seq.append(buf)
    return seq, pos


def slots(nodes: list) -> set[str]:
    """Every parameter a template can mention."""
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, Slot):
            found.add(node.param)
        elif isinstance(node, Opt):
            found |= slots(node.body)
        elif isinstance(node, Choice):
            for option in node.options:
                found |= slots(option)
    return found


def literals(nodes: list) -> list[str]:
    """Every piece of fixed text a template can say, on every branch: its words outside the slots."""
    found: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, Opt):
            found += literals(node.body)
        elif isinstance(node, Choice):
            for option in node.options:
                found += literals(option)
    return found


def alternatives(nodes: list) -> list[str]:
    """The text of each option of the template's choices that is fixed text alone, on every
    branch: the phrases it says one of ("(close|shut|roll up) the {window} window": close, shut,
    roll up)."""
    found: list[str] = []
    for node in nodes:
        if isinstance(node, Opt):
            found += alternatives(node.body)
        elif isinstance(node, Choice):
            for option in node.options:
                if all(isinstance(part, str) for part in option):
                    found.append("".join(option).strip())
                else:
                    found += alternatives(option)
    return [phrase for phrase in found if phrase]


def pattern(nodes: list) -> str:
    """A regular expression for every phrasing a template can render, a slot filled with some
    words or left out ("(crack|open a bit) the {window} window" matches "crack the rear left
    window" and "crack the window")."""
    return _pattern(nodes).replace(rf"\s+{_SOME_WORDS}\s+", r"\s+(?:\S.*?\s+)?")


_SOME_WORDS = r"(?:\S.*?)?"


def _pattern(nodes: list) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(r"\s+".join(re.escape(word) for word in node.split(" ")))
        elif isinstance(node, Slot):
            out.append(_SOME_WORDS)
        elif isinstance(node, Opt):
            out.append(f"(?:{_pattern(node.body)})?")
        else:
            out.append("(?:" + "|".join(_pattern(option) for option in node.options) + ")")
    return "".join(out)


def render(
    nodes: list,
    rng: random.Random,
    fill: Callable[[str], str],
    optional_rate: float = 0.5,
) -> str:
    """Render one phrasing; ``fill(param)`` returns the surface text and records the argument."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, Slot):
            out.append(fill(node.param))
        elif isinstance(node, Opt):
            if rng.random() < optional_rate:
                out.append(render(node.body, rng, fill, optional_rate))
        else:
            out.append(render(rng.choice(node.options), rng, fill, optional_rate))
    return "".join(out)


def distinct(make: Callable[[random.Random], str], count: int, seed: int, tries: int) -> list[str]:
    """Up to ``count`` distinct texts from ``make``, in first-drawn order, within ``tries`` draws
    per text wanted (a small template space runs out before ``count``)."""
    rng = random.Random(seed)
    seen: dict[str, None] = {}
    for _ in range(count * tries):
        seen.setdefault(make(rng), None)
        if len(seen) >= count:
            break
    return list(seen)
