"""Values a request states in words, read the same way every time: a switch's polarity ("kill the
flashlight" -> false), a setting's extremes and parts of the way ("all the way", "max", "halfway",
"a third": of the parameter's range), a small amount as the phrasebook's templates set it ("crack
the window a little": 20) and an end said by a phrase only the templates setting it say ("roll
up all windows": 0, not 100), counts said as words
("a couple", "a dozen") and durations in another unit ("an hour", "una hora", "eine Stunde",
"一个小时", "1時間" for a ``minutes`` parameter), and a duration, a count of people or a level the
request never gives, which is asked for, not guessed; an optional count it never gives is left to the
schema ("will it snow in Visalia next winter" made up ``days=4``); an optional count or name ("an
alarm called gym"), a time or a message ("saying ...") the request gives and the model left out is
read; a number said outside its parameter's range is asked for, not cut to fit.

The adapter writes every value, and a small model slips exactly here: "switch wifi off" with
``on=true``, an hour-long timer with ``minutes=1``, "halfway" as 100. Each rule below fires only
on an unambiguous cue in the request and only for a parameter of the matching kind (a boolean
that is a switch, an integer with a range, a duration in minutes); everything else is left to
the model. A value a rule replaces is reported like grounding's changes (``Call.grounded``).
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

from orchestrator.calls import counts, free_text
from orchestrator.data import templates
from orchestrator.data.languages import chinese_number
from orchestrator.data.phrasebook import function_specs, template_text
from orchestrator.data.values import kind_for
from orchestrator.registry import App, Function
from orchestrator.request.grounding import DROPPED, NEEDS_INPUT, NOT_WRITTEN, TIME_WORDS, outside_values
from orchestrator.switches import SWITCH_NAMES, switch_verbs

# A switch: a boolean whose name or description says it turns something on, or whose
# description names what true and false do ("True to lock, false to unlock.": ``switches``).
_SWITCH_DESCRIPTION = re.compile(r"\b(turn on|turns? .* on|enable|switch on)\b", re.IGNORECASE)
# Cues of each polarity, in the languages orch reads ("enabled" and "disabled" are how the
# schema-only generator says a switch's state: "set lights kitchen room disabled"). Negation
# ("don't") is not a cue: "don't disturb me" turns do-not-disturb on, and so does "stop disturbing
# me" (no off cue). A negated wish about the state is: "don't keep the wifi on", "I don't want the
# flashlight on" say off (``_NEGATED_STATE``).
_OFF = re.compile(
    r"\b(off|disabled?|deactivate|disconnect|end|kill|shut|stop(?! (disturbing|bothering|interrupting|bugging) me)|cut"
    r"|no more)\b|apag|desactiv|descon[eé]ct|quita"
    r"|aus(schalten|machen)?\b|deaktiv|\btrenn|关|關|停|禁用|断开|斷開|切断|消して|オフ|止め|切って|解除",
    re.IGNORECASE,
)
_ON = re.compile(
    r"\b(on|enabled?|activate|start)\b|encend|enciend|(?<!des)activ[ae]|prend|einschalten|anschalten|anmachen|aktivier"
    r"|(?<![断斷])[开開]|启用|つけ|オン|入れて",
    re.IGNORECASE,
)
# The state a negated wish names, in its own clause: "don't keep the wifi on" (off), "don't turn the
# flashlight off" (on). "I don't want wifi now, turn it off" names none there: the cue decides.
_NEGATED_STATE = re.compile(
    r"\b(?:don't|dont|do not|doesn't|does not|no longer)\s+(?:keep|leave|want|need|turn|switch)\b"
    r"[^,.;!?]*?\b(on|off)\b",
    re.IGNORECASE,
)
# A switch for a mode that silences something ("Do Not Disturb", a silent or quiet mode) is on when
# what it silences is off: "turn off notifications" turns Do Not Disturb on (the polarity cue was
# read as the mode's own and gave ``enabled=false``). The cue is inverted where the request names
# what the mode silences and not the mode itself ("通知オフモードをオンにして" names the mode).
_SILENCING_MODE = re.compile(r"\b(do not disturb|dnd|silent mode|quiet mode|silence mode)\b", re.IGNORECASE)
_MODE_NAMED = re.compile(
    r"\b(do not disturb|dnd|silent|quiet|silence|focus) mode\b|\bdo not disturb\b|\bdnd\b|no molestar|nicht st[öo]ren"
    r"|modo (silencio|silencioso)|ruhemodus|勿扰|免打扰|静音模式"
    r"|おやすみモード|サイレントモード|通知オフモード|マナーモード",
    re.IGNORECASE,
)
_SILENCED = re.compile(
    r"\b(notifications?|alerts?|ringer|ringtone|pings?|interruptions?)\b|notificaci|benachrichtigung|mitteilung"
    r"|通知|提醒",
    re.IGNORECASE,
)
# Which way a request moves a setting. An enum of "up" and "down" takes the side said ("louder
# please" got ``direction="down"``).
_UP = re.compile(
    r"\b(up|louder|higher|raise|increase|boost|brighter|brighten)\b|\bsub(e|ir)\b|más alto|lauter|heller|höher"
    r"|\bhoch\b|调高|调大|大声|上げ|大きく",
    re.IGNORECASE,
)
_DOWN = re.compile(
    r"\b(down|quieter|softer|lower|decrease|reduce|dimmer|darker|dim)\b|\bbaj(a|ar)\b|más bajo|leiser|dunkler"
    r"|niedriger|runter|调低|调小|小声|下げ|小さく",
    re.IGNORECASE,
)
# A level the request only moves ("make the screen brighter", "unmute the phone") states no value,
# and the model's guess went the wrong way (brightness 1, volume 0): a required one is asked for.
# Moved one way: a comparative or a verb of moving, never a particle alone ("roll down the
# window" opens it all the way).
_MOVED = re.compile(
    r"\b(louder|quieter|softer|brighter|brighten|dimmer|darker|dim|higher|increase|decrease|raise|reduce|boost"
    r"|un-?mute|turn (?:it |the \w+ )?(?:up|down)|(?:sound|volume) back on)\b|más alto|más bajo|lauter|leiser|heller"
    r"|dunkler|调高|调大|调低|调小|上げ|下げ",
    re.IGNORECASE,
)
_NUMBER_WORD = re.compile(
    r"\b(zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty"
    r"|sixty|seventy|eighty|ninety|hundred)\b|[一二两三四五六七八九十百]",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
# A number in digits, decimals whole ("18.5"), not the tail of one ("at 18.5" less its clock "at 18").
_DECIMAL = re.compile(r"(?<![\d.])\d+(?:\.\d+)?")
# "all the way" alone is up ("open it all the way"); "all the way down" is the other end.
_MAXIMUM = re.compile(
    r"\b(max|maximum|highest|full|fully|all the way(?! (down|off|low))|as (high|loud|bright) as)\b|最大|máximo|maximal"
)
_MINIMUM = re.compile(
    r"\b(minimum|lowest|as (low|quiet|dim) as|all the way (down|off|low)|(down|turn \w+|set \w+) to nothing)\b"
    r"|最小|mínimo|minimal"
)  # "min" is minutes
# A setting said as low, medium or high ("fan on low", "seat heat to medium", "fan speed high"):
# on a scale from 0 (off) low is the lowest level that is on, medium its middle and high its top.
# The model wrote 0 for "fan on low", switching the fan off, and 1 for "medium".
_SETTING_WORD = re.compile(
    r"\b(?:on|to|at)\s+(low|medium|mid|high)\b(?!\s+(?:up|down))|\b(low|medium|mid|high)\s+(?:setting|speed|level|heat)\b"
    r"|\b(low|medium|mid|high)\s*$"
)
# Parts of the way, of a setting's range from 0 ("volume to a third" is 10 on a car's 0-30).
_PARTS_OF_THE_WAY = [
    (re.compile(r"\bthree quarters\b"), 3 / 4),
    (re.compile(r"\ba quarter\b"), 1 / 4),
    (re.compile(r"\btwo thirds\b"), 2 / 3),
    (re.compile(r"\b(?:a|one) third\b"), 1 / 3),
    (re.compile(r"\b(halfway|half way|half)\b|一半|半分|mitad|a medias|halb"), 1 / 2),
]
# The smallest range whose parts are settings ("seat heat halfway" on 0-3 says no level).
_PARTED_RANGE = 10
_COUNTS = [
    (re.compile(r"\b(half a|a half) dozen\b"), 6),
    (re.compile(r"\ba dozen\b"), 12),
    (re.compile(r"\ba couple\b"), 2),
]
# A temperature said in Fahrenheit, for a parameter in Celsius ("72 degrees fahrenheit", "68 F").
_FAHRENHEIT = re.compile(r"(-?\d+(?:\.\d+)?)\s*(?:°\s*f\b|(?:degrees? )?fahrenheit\b|f\b)")
_WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "un": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "diez": 10,
    "ein": 1, "eine": 1, "einer": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "zehn": 10, "zwölf": 12,
}  # fmt: skip
# Tens and a unit said as one number ("forty five", "twenty-one"): one amount, not two.
_COMPOUND_NUMBER = (
    r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[ -](?:one|two|three|four|five|six|seven|eight|nine)\b"
)
# A number that may be a count (``_said_count``): digits or a number word other than an article,
# not part of a longer number ("7-eleven", "4.5"), not an amount of a unit, not a target ("to 8").
_UNIT_AFTER = (
    r"\s*(?:hours?|hrs?|minutes?|mins?|seconds?|secs?|days?|weeks?|months?|years?|inch(?:es)?|oz|ounces?"
    r"|lit(?:er|re)s?|ml|lbs?|pounds?|percent|%|degrees?|people|persons?|guests?|of us|st|nd|rd|th)\b"
)
# Numbers said in words other than an article ("a", "una", "ein"), longest first; tens and a unit as one.
_SAID_NUMBERS = (
    _COMPOUND_NUMBER
    + "|"
    + "|".join(
        sorted(
            (w for w in _WORD_NUMBERS if w not in ("a", "an", "un", "una", "ein", "eine", "einer")),
            key=len,
            reverse=True,
        )
    )
)
_BARE_COUNT = re.compile(r"(?<![\w.:/-])(?<!\bto )(" + _SAID_NUMBERS + r"|\d+)(?![\w.:/-])(?!" + _UNIT_AFTER + ")")
# A number a setting is taken to ("down to 20"), which counts nothing.
_TARGET = re.compile(r"\bto ((?:\d+(?:\.\d+)?|" + _SAID_NUMBERS + r"))\b")
# A year ("on sep. the fifth, 2030"), which is no count or level: four digits from 1900 to 2099 with
# no unit after them ("2000 minutes" is a duration).
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b(?!" + _UNIT_AFTER + ")")
# An amount a level is moved by, not a value it is set to: "raise ... by 3", "2 degrees warmer", "up
# two notches", "10 percent more", "um 2 Grad höher", "2 grados más". Not "open the window by 63%",
# which opens it that far.
_STEP_UNIT = (
    r"(?:degrees?|percent|%|notch(?:es)?|steps?|points?|levels?|clicks?|grad|prozent|stufen?|grados?|por ?ciento)"
)
_MOVERS = (
    r"(?:up|down|raise|lower|increase|decrease|reduce|bump|warmer|cooler|colder|hotter|higher|brighter|dimmer|darker"
    r"|louder|quieter|more|less|höher|niedriger|wärmer|kälter|erhöhe|senke)"
)
_MOVED_BY = re.compile(
    rf"\b{_MOVERS}(?: \S+){{0,3}} (?:by|um) (?:\d+(?:\.\d+)?|{_SAID_NUMBERS})\b"
    rf"|\b(?:up|down) (?:\d+(?:\.\d+)?|{_SAID_NUMBERS}) ?{_STEP_UNIT}"
    rf"|(?:\d+(?:\.\d+)?|\b(?:{_SAID_NUMBERS})) ?{_STEP_UNIT} (?:warmer|cooler|colder|hotter|higher|lower|more|less"
    r"|brighter|dimmer|darker|louder|quieter|up|down|wärmer|kälter|mehr|weniger|más|menos)\b"
)
# A number said in words: a level's value where no digit is written.
_NUMBER_IN_WORDS = re.compile(r"(?<![\w-])((?:a|one) hundred|" + _SAID_NUMBERS + r")(?![\w-])")
# What says how long: a unit of time or a number word other than an article ("a", "una", "ein").
_DURATION_CUE = re.compile(
    r"\b(seconds?|secs?|minutes?|mins?|hours?|hrs?|segundos?|minutos?|horas?|sekunden?|minuten?|stunden?"
    r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    r"|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|ninety|hundred|dos|tres|cuatro|cinco"
    r"|seis|siete|ocho|nueve|diez|quince|veinte|treinta|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn"
    r"|zwölf|fünfzehn|zwanzig|dreißig|half|halbe?|media|(drei)?viertelstunde)\b|分|秒|小时|小時|時間|鐘頭|钟头|刻钟|[一二两三四五六七八九十]"
)
# What says how many: a number word other than an article ("a", "una", "ein", "一张"), also where
# a Chinese request borrows it ("thirteen个人"), the speaker and company ("for me", "me and Sam",
# "für mich und", "我和"), a numeral with a counter for people (两个人, "三 个 人", 三名).
_COUNT_CUE = re.compile(
    r"(?<![a-zß-ÿ])(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|dozen|couple|pair|for me|me and|and (i|me)"
    r"|myself|alone|just me|solo|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|trece|catorce"
    r"|quince|dieciséis|diecisiete|dieciocho|diecinueve|veinte|eins|zwei|drei|vier|fünf|sechs|sieben|acht|neun"
    r"|zehn|elf|zwölf|zwanzig|allein|für mich|mich und|und ich|para mí|para mi|conmigo|y yo)(?![a-zß-ÿ])"
    r"|[一二两三四五六七八九十]+\s*[个個]?\s*[人位名]|ひとり|ふたり|我\s*和"
)
# Numbers that say when, not how many: clock times ("at 7", "4:20 pm", "730 pm", "seven o'clock", "8点"),
# days of the month ("the 14th", "may 3", "november twenty", "twenty second april", "on the
# fifteenth"; "may" with an ordinal only: "may three people come"). A count is looked for in
# what is left.
_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:tember)?|oct(?:ober)?"
    "|nov(?:ember)?|dec(?:ember)?"
)
_HOUR_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
# A day of the month said in words: "twenty second", "the fifteenth", "three", "twenty".
_ORDINALS = (
    "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth"
    "|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth"
)
_ORDINAL_DAY = rf"(?:(?:twenty|thirty)[ -])?(?:{_ORDINALS})"
_DAY_IN_WORDS = (
    rf"(?:{_ORDINAL_DAY}|(?:twenty|thirty)(?:[ -](?:{_HOUR_WORDS}))?|{_HOUR_WORDS}"
    "|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
)
_MERIDIEM = r"(?:am|pm|a\.m\.|p\.m\.|o'clock)"
# An hour something lasts until: after "until" or "till" anywhere, after "to" or a dash straight
# after the time it starts ("9 to 11").
_AN_HOUR = rf"(\d{{1,2}}(?:[:.]\d{{2}})?(?: ?{_MERIDIEM})?|(?:{_HOUR_WORDS})(?: ?{_MERIDIEM})?|noon|midnight)(?![\w:])"
_UNTIL_HOUR = re.compile(rf"\b(?:until|till|til)\s+{_AN_HOUR}")
_TO_HOUR = re.compile(rf"\s*(?:to|-|until|till)\s*{_AN_HOUR}")
# A parameter for when something starts or ends ("start_time", "end_time", "until").
START_NAME = re.compile(r"(?:^|_)(?:start|begin|from)", re.IGNORECASE)
END_NAME = re.compile(r"(?:^|_)(?:end|finish|until)", re.IGNORECASE)
# "by" says when ("order it by 7") except after what moves a level: "volume up by 4" is four steps.
_BY_WHEN = (
    "".join(
        rf"(?<!\b{word} )"
        for word in ("up", "down", "it", "volume", "increase", "decrease", "raise", "lower", "reduce")
    )
    + "by"
)
_WHEN = re.compile(
    rf"\b(?:at|{_BY_WHEN}|around|before|after|until|from) \d{{1,2}}(?:[:.]\d{{2}})?(?: ?(?:{_MERIDIEM}|h))?\b"
    rf"|\b\d{{1,2}}(?:[:.]\d{{2}})? ?(?:{_MERIDIEM}|uhr|h)\b|\b\d{{3,4}} ?(?:{_MERIDIEM}|uhr)(?!\w)"
    rf"|\b\d{{1,2}}:\d{{2}}\b"
    rf"|\b(?:at|{_BY_WHEN}|around) (?:{_HOUR_WORDS})\b"
    rf"|\b(?:{_HOUR_WORDS})(?: thirty| fifteen| forty five)? ?(?:am|pm|o'clock)\b|\b\d{{1,2}}(?:st|nd|rd|th)\b"
    rf"|\b(?:{_MONTHS}) \d{{1,2}}\b|\b\d{{1,2}} (?:{_MONTHS})\b|\d+ ?(?:点|點|時|时|号|號|日|月)"
    rf"|\b(?:{_MONTHS.replace('|may', '')}) (?:the )?{_DAY_IN_WORDS}\b|\bmay (?:the )?{_ORDINAL_DAY}\b"
    rf"|\b(?:the )?{_DAY_IN_WORDS} (?:of )?(?:{_MONTHS})\b"
    rf"|\bon the {_ORDINAL_DAY}\b"
)
# A time a clock shows, said unmistakably: with am, pm, o'clock or Uhr ("730 pm", "615 Uhr", "seven
# am"), or with a colon ("6:15").
_UNMISTAKABLE_CLOCK = (
    rf"\b(?:\d{{3,4}}|\d{{1,2}}(?:[:.]\d{{2}})?) ?(?:{_MERIDIEM}|uhr)(?!\w)|\b\d{{1,2}}:\d{{2}}\b"
    rf"|\b(?:{_HOUR_WORDS})(?: thirty| fifteen| forty five)? ?{_MERIDIEM}(?!\w)"
)
# A clock time as said ("8", "7:30", "8 pm", "730 pm", "seven o'clock", "noon", "a las 9", "um 8 Uhr"): what
# an unwritten ``time`` is read from (``_said_time``). A bare number is a time only after "at".
_CLOCK = re.compile(
    r"(?:(?<=\bat )|(?<=\baround )|(?<=\ba las )|(?<=\bum ))"
    rf"\d{{1,2}}(?:[:.]\d{{2}})?(?: ?(?:{_MERIDIEM}|uhr))?(?![\w:])"
    rf"|{_UNMISTAKABLE_CLOCK}|\b(?:noon|midnight|half past (?:{_HOUR_WORDS}))\b|(?<=\bat )(?:{_HOUR_WORDS})\b"
)
# The words of a time or a date, and those that join them ("the morning of the 5th").
_TIME_CUES = frozenset(
    {word for phrase in TIME_WORDS for word in phrase.split()}
    | {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october"}
    | {"november", "december"}
    | {"am", "pm", "o'clock", "oclock", "morning", "afternoon", "evening", "night", "hour", "hours", "minutes", "day"}
    | {"days", "weeks", "weekday", "weekdays", "weekends", "daily", "weekly", "monthly", "hourly"}
)
# The words between a time's cues, "every" and "each" among them ("every day at 9").
_TIME_JOINS = frozenset(
    {"at", "on", "in", "of", "from", "for", "the", "this", "last", "next", "and", "to", "until", "every", "each"}
)
# Numbers written as one word of several parts, where no whole number word is found: "veintidós",
# "zweiundzwanzig", "dreißig", "hundert".
_NUMBER_STEM = re.compile(
    r"veinti|treinta|cuarenta|cincuenta|sesenta|setenta|ochenta|noventa|cien|zehn|zig\b|ßig\b|hundert"
)
# (app, function, parameter): the words of the app's phrasebook templates that set it without a
# number, in every language (``_level_words``).
_LEVEL_WORDS: dict[tuple[str, str, str], frozenset[str]] = {}
# (app, function, parameter): its phrasebook templates that set it in words, as patterns
# (``_level_templates``), and the politeness a request says around one.
_LEVEL_TEMPLATES: dict[tuple[str, str, str], list[tuple[re.Pattern, Any]]] = {}
# (app, function, parameter): the phrases only the templates setting each value say, as patterns
# (``_distinct_phrases``).
_DISTINCT_PHRASES: dict[tuple[str, str, str], dict[Any, list[re.Pattern]]] = {}
# A small amount said in words: "a bit", "a little", "slightly", "crack" (a window).
_A_LITTLE = re.compile(r"\b(?:a (?:little|bit|tad|touch)|slightly|crack(?:ed)?)\b")
_POLITE_EDGES = re.compile(r"^(?:(?:please|can you|could you|would you|hey \w+|ok \w+),?\s+)+|,?\s+please$")
# What a template's words are: Latin-script words of three letters or more other than articles and
# the like, and runs of two or more katakana or Han characters ("ミュート", "静音").
_LATIN_WORD = re.compile(r"[a-zß-ÿ]{3,}")
_CJK_RUN = re.compile(r"[\u30a1-\u30fa\u30fc\u4e00-\u9fff]{2,}")
_FUNCTION_WORDS = frozenset({
    "the", "and", "for", "your", "las", "los", "les", "del", "con", "por", "una", "uno",
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen",
})  # fmt: skip
# Clock times said unmistakably, in Chinese and Japanese too ("6時"): a request whose only numbers
# are these gives no level.
_CLOCK_TIME = re.compile(rf"{_UNMISTAKABLE_CLOCK}|\d+ ?(?:点|點|時|时)")
# The name a request gives what it makes ("an alarm called gym", "named water plants", "labeled
# meds", "wake me at 7 and call it work"): the words after the cue, up to what says when, more of
# the request, or a clause's end.
NAMING_WORDS = ("called", "named", "labelled", "labeled", "titled")
_NAMED = re.compile(
    rf"\b(?:{'|'.join(NAMING_WORDS)}|(?:call|name|label|title) it)\s+(.+?)"
    r"(?=\s+(?:at|for|on|to|by|from|in|tomorrow|today|tonight|every|and|with|saying|that|now|please)\b|[,.;!?]|$)",
    re.IGNORECASE,
)
# What a message says, ending the request: "... saying the report is done", "... that says hi".
_SAYING = re.compile(r"\b(?:saying|that says)\s+(\S.*?)[\s.!?]*$", re.IGNORECASE)
# The parameters that hold such a name.
_NAME_PARAMETERS = ("label", "name", "title")
# The speaker and one other person ("for me and my wife", "my sister and I"), said with no number:
# two people. Several ("me and my kids") or a group ("me and my family") are no count.
_COMPANION = re.compile(
    r"\b(?:me|myself) and (?:my |a |an )?(?!(?:my|a|an|the)\b)([a-z]+)\b(?! and)|\b(?:my|a|an) ([a-z]+) and (?:me|i)\b"
)
_GROUPS = {"family", "team", "crew", "group", "class", "children", "people", "folks", "staff", "gang", "kids"}
# A count in digits or a Chinese numeral up to 99 (两 for 2).
_ZH_NUMERAL = "[一二两三四五六七八九]?十[一二两三四五六七八九]?|[一二两三四五六七八九]"
_ZH_NUMBER = "[0-9]+|" + _ZH_NUMERAL
_AMOUNT = r"(\d+(?:\.\d+)?|" + _COMPOUND_NUMBER + "|" + "|".join(_WORD_NUMBERS) + r")"
# A count of people in Chinese or Japanese numerals ("十一位", "五个人", "三名", "五人"): the model
# wrote 10 for 十一. A numeral run that is no number up to 99 ("五一" is a date) is left alone.
_ZH_PEOPLE = re.compile(rf"(?<![一二两三四五六七八九十])({_ZH_NUMERAL})\s*[个個]?\s*[人位名]")
# A count of things in Chinese or Japanese: a numeral and a counter ("两份", "3杯", "二つ").
_ZH_THINGS = re.compile(
    rf"(?<![一二两三四五六七八九十0-9])({_ZH_NUMERAL}|[0-9]+)\s*(?:份|个|個|杯|碗|盒|瓶|块|塊|张|張|串|盘|つ|本|枚|人前)"
)
# A time said from now ("in two hours", "in 30 minutes", "20 minutes from now"): an alarm's time
# as the request gives it.
_FROM_NOW = re.compile(
    rf"\bin (?:{_AMOUNT}|an?|a couple of|a few|half an) ?(?:minutes?|mins?|hours?|hrs?)\b"
    rf"|\b(?:{_AMOUNT}|an?) ?(?:minutes?|mins?|hours?|hrs?) from now\b"
)
# Dozens said with a number ("2 dozen", "three dozen"): the model copies the number alone.
_DOZENS = re.compile(rf"(?<!half )\b{_AMOUNT} dozen\b")
_HOURS = re.compile(
    rf"\b{_AMOUNT}\s*(?:hours?|hrs?|h|horas?|stunden?)\b"
    rf"(?:\s*(?:and|y|und)?\s*(?:{_AMOUNT}\s*min(?:ute|uten)?s?|(a half|media)|(a quarter|cuarto)))?"
)
# "two and a half hours", "zweieinhalb Stunden".
_HOURS_AND_A_HALF = re.compile(rf"\b{_AMOUNT}(?: and a half|einhalb)\s*(?:hours?|hrs?|stunden?)\b")
# Chinese and Japanese (1時間半: an hour and a half).
_HOURS_ZH = re.compile(rf"({_ZH_NUMBER})个?(?:(半)(?:小时|小時|鐘頭|钟头)|(?:小时|小時|鐘頭|钟头|時間)(半)?)")
# Minutes and a half ("a minute and a half", "two and a half minutes"): the model wrote the whole
# minutes alone.
_MINUTES_AND_A_HALF = re.compile(
    rf"\b{_AMOUNT}(?: and a half\s*(?:minutes?|mins?)\b|\s*(?:minutes?|mins?) and a half\b)"
)
_HALF_HOUR = re.compile(r"\b(half an|a half|half) ?-?hour\b|\bmedia hora\b|\bhalbe stunde\b|半个?小[时時]")
# Quarters of an hour, before "an hour" reads them as 60: "a quarter of an hour", "un cuarto de
# hora", "eine Viertelstunde", "一刻钟"; three quarters are 45.
_QUARTERS_HOUR = re.compile(
    r"\b(?:(three|tres) )?(?:quarters?|cuartos?) (?:of an |de )?(?:hour|hora)\b|\b(drei)?viertelstunde\b|([一三])刻钟"
)
_SECONDS = re.compile(rf"\b{_AMOUNT}\s*(?:seconds?|secs?|segundos?|sekunden?)\b|({_ZH_NUMBER})秒")


def read_values(fn: Function, arguments: dict[str, Any], query: str) -> tuple[dict[str, Any], dict[str, str]]:
    """``arguments`` with the values the request states in words, and what changed
    (parameter -> ``"old -> new"``). A duration the request does not give at all ("set a
    timer") is no value the model may write (it wrote ``minutes=1``): a required one is taken
    out and asked for (``"old -> (needs input)"``), an optional one dropped. So is a required
    count of people or things the request never gives ("book a table at nobu": ``party_size``); an
    optional count it never gives is dropped (``_unsaid_count``), and one it gives that the model
    left out is read (``_said_count``: "I want three veggie burritos"), as are a time
    (``_said_time``), an optional end ("until 11": ``_said_end``), a message said after "saying"
    (``_said_message``) and an optional name ("an alarm called gym": ``_said_name``) it left
    out. A number said outside the parameter's range is asked for (``_said_out_of_range``)."""
    properties = fn.parameters.get("properties", {})
    required = set(fn.parameters.get("required", []))
    text = query.lower()
    read = dict(arguments)
    changes: dict[str, str] = {}
    for name, value in arguments.items():
        schema = properties.get(name, {})
        unsaid_duration = _is_duration(name, schema) and not _says_a_duration(text)
        stated = _stated(name, schema, text)
        if stated is None and _said_out_of_range(name, schema, value, name in required, text, arguments):
            del read[name]
            changes[name] = f"{value} -> {NEEDS_INPUT}"
            continue
        if unsaid_duration or _unsaid_count(name, schema, value, name in required, text):
            del read[name]
            changes[name] = f"{value} -> {NEEDS_INPUT if name in required else DROPPED}"
            continue
        if isinstance(stated, bool) and _silenced_named(fn, text):
            stated = not stated
        if stated is None and name in required and _only_moved(name, schema, text):
            del read[name]
            changes[name] = f"{value} -> {NEEDS_INPUT}"
            continue
        if stated is not None and stated != value:
            read[name] = stated
            changes[name] = f"{value} -> {stated}"
    unwritten = [n for n, s in properties.items() if n not in arguments and n not in required and counts(n, s)]
    said = _said_count(text, arguments) if unwritten else None
    for name in unwritten:
        if said is not None and said != properties[name].get("default") and _in_range(said, properties[name]):
            read[name] = said
            changes[name] = f"{NOT_WRITTEN} -> {said}"
    unnamed = [n for n in _NAME_PARAMETERS if n in properties and n not in arguments and n not in required]
    said_name = _said_name(query, arguments) if len(unnamed) == 1 and free_text(properties[unnamed[0]]) else None
    if said_name is not None and len(said_name) <= properties[unnamed[0]].get("maxLength", len(said_name)):
        read[unnamed[0]] = said_name
        changes[unnamed[0]] = f"{NOT_WRITTEN} -> {said_name}"
    unsaid_messages = [n for n, schema in properties.items()
                       if n not in arguments and free_text(schema) and kind_for(n, schema) == "message"]  # fmt: skip
    said_message = _said_message(query, arguments) if len(unsaid_messages) == 1 else None
    if said_message is not None:
        read[unsaid_messages[0]] = said_message
        changes[unsaid_messages[0]] = f"{NOT_WRITTEN} -> {said_message}"
    ends = [n for n, s in properties.items() if n not in arguments and n not in required and _is_end_time(n, s)]
    said_end = _said_end(text, arguments) if len(ends) == 1 else None
    if said_end is not None:
        read[ends[0]] = said_end
        changes[ends[0]] = f"{NOT_WRITTEN} -> {said_end}"
    if "time" in properties and "time" not in arguments:
        said_time = _said_time(text, arguments)
        if said_time is not None:
            read["time"] = said_time
            changes["time"] = f"{NOT_WRITTEN} -> {said_time}"
    return read, changes


def unsaid_levels(app: App, fn: Function, arguments: dict[str, Any], query: str) -> tuple[dict[str, Any], dict]:
    """``arguments`` without a required level the request gives no value for, which is asked for
    (``"old -> (needs input)"``): "temperature now" came back as ``set_temperature(celsius=19)``,
    "this is too bright" as ``set_screen_brightness(level=1)``, numbers nobody said. A level is a
    number between bounds that counts nothing and is no duration; the request gives none where it
    says no number in any form other than a clock time ("Wecker für 615 Uhr einstellen" gave
    ``set_volume(level=61)``) and no word the rules read as one ("max", "halfway"). Where it says
    a word of a phrasebook template that sets the level in words ("mute the alarm" is 0, "crack
    the window" 20), the model's value stands (``_said_in_words``); "alarm" alone gave
    ``set_volume(level=0)`` and is asked."""
    properties = fn.parameters.get("properties", {})
    required = set(fn.parameters.get("required", []))
    text = query.lower()
    asked = {
        name: f"{value} -> {NEEDS_INPUT}"
        for name, value in arguments.items()
        if name in required
        and _is_level(name, properties.get(name, {}))
        and _gives_no_number(text)
        and _stated(name, properties[name], text) is None
        and not _said_in_words(app, fn, name, text)
    }
    return {name: value for name, value in arguments.items() if name not in asked}, asked


def templated_levels(app: App, fn: Function, arguments: dict[str, Any], query: str) -> tuple[dict[str, Any], dict]:
    """``arguments`` with each level a phrasebook template of ``fn`` sets in words (in any
    language), where the request is said as that template and as no template setting another
    value, and what changed (parameter -> ``"old -> new"``): "crack the rear left window" is
    ``percent=20`` by "(crack|open a bit) the {window} window"; the model wrote 100, as for
    opening it. A request said otherwise ("open the window a bit") is left to the model."""
    properties = fn.parameters.get("properties", {})
    text = _POLITE_EDGES.sub("", query.lower().strip(" .!?"))
    read, changes = dict(arguments), {}
    for name, schema in properties.items():
        if not _is_level(name, schema):
            continue
        said = {value for regex, value in _level_templates(app, fn, name) if regex.fullmatch(text)}
        if len(said) == 1 and (value := said.pop()) != arguments.get(name) and _in_range(value, schema):
            read[name] = value
            changes[name] = f"{arguments.get(name, NOT_WRITTEN)} -> {value}"
    return read, changes


def phrased_levels(app: App, fn: Function, arguments: dict[str, Any], query: str) -> tuple[dict[str, Any], dict]:
    """``arguments`` with each level the model set at one end of its range set at the other,
    where the request says a phrase that only the phrasebook templates setting that other end say
    among ``fn``'s, and says no number and no word the rules read as one; and what changed
    (parameter -> ``"old -> new"``). "roll up all windows" came back as
    ``open_window(percent=100)``: "roll up" is said only by "(close|shut|roll up) the {window}
    window", which sets 0, and the request is said as no template in full (``templated_levels``).
    A phrase is an option of a template's choice that says a word (``_distinct_phrases``); one
    that another value's templates, or the text of a template that sets no value, say too
    ("open", "roll down", "window") says no value. Only an end turned into the other: a value
    between ("crack": 20) is for the rules that read it whole."""
    properties = fn.parameters.get("properties", {})
    text = query.lower()
    rest = outside_values(text, arguments)
    if not _gives_no_number(text):
        return arguments, {}
    read, changes = dict(arguments), {}
    for name, schema in properties.items():
        if not _is_level(name, schema) or _stated(name, schema, text) is not None:
            continue
        phrased = _distinct_phrases(app, fn, name)
        said = {value for value, phrases in phrased.items() if any(phrase.search(rest) for phrase in phrases)}
        ends = {schema["minimum"]: schema["maximum"], schema["maximum"]: schema["minimum"]}
        if len(said) == 1 and (value := said.pop()) in ends and arguments.get(name) == ends[value]:
            read[name] = value
            changes[name] = f"{arguments[name]} -> {value}"
    return read, changes


def _distinct_phrases(app: App, fn: Function, name: str) -> dict[Any, list[re.Pattern]]:
    """For each value ``fn``'s phrasebook templates (in every language) set ``name`` to, the
    patterns of the phrases only its templates say: options of their choices with a word of three
    letters or more (not "to", "on", "the") or of an unspaced script, that no template setting
    another value says and that the text of no other template of ``fn`` says (read once per
    parameter)."""
    key = (app.name, fn.name, name)
    if key not in _DISTINCT_PHRASES:
        by_value: dict[Any, set[str]] = {}
        neutral: list[str] = []
        for spec in function_specs(app, fn.name):
            for entry in [*(spec.get("templates") or []), *(spec.get("incomplete") or [])]:
                if isinstance(entry, dict) and name in (entry.get("args") or {}):
                    said = templates.alternatives(templates.parse(entry["t"]))
                    by_value.setdefault(entry["args"][name], set()).update(phrase.lower() for phrase in said)
                else:
                    neutral.append(template_text(entry).lower())
        distinct = {
            value: {
                phrase
                for phrase in own - set().union(*(other for key, other in by_value.items() if key != value))
                if not any(_phrase_pattern(phrase).search(text) for text in neutral)
            }
            for value, own in by_value.items()
        }
        _DISTINCT_PHRASES[key] = {
            value: [_phrase_pattern(phrase) for phrase in sorted(own) if _says_a_word(phrase)]
            for value, own in distinct.items()
        }
    return _DISTINCT_PHRASES[key]


def _says_a_word(phrase: str) -> bool:
    """Whether ``phrase`` holds a word of three letters or more that is no article, or a run of an
    unspaced script."""
    return bool(set(_LATIN_WORD.findall(phrase)) - _FUNCTION_WORDS or _CJK_RUN.search(phrase))


def _phrase_pattern(phrase: str) -> re.Pattern:
    """What finds ``phrase`` said whole in a lower-case request: as words, or as characters in an
    unspaced script."""
    if _CJK_RUN.search(phrase):
        return re.compile(re.escape(phrase))
    return re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)")


def a_little_as_templated(app: App, fn: Function, arguments: dict[str, Any], query: str) -> tuple[dict[str, Any], dict]:
    """``arguments`` with each level set to the one value ``fn``'s phrasebook templates give a
    small amount in words, where the request says a small amount ("a bit", "a little",
    "slightly", "crack") and no number; and what changed (parameter -> ``"old -> new"``). "crack
    the window a little" and "lower my window a bit" came back as ``open_window(percent=100)``,
    "open the windows a little" as ``percent=1``: "(crack|open a bit) the {window} window" sets
    20. A level whose templates say no small amount, or say one for two values, is the model's."""
    text = query.lower()
    if not _A_LITTLE.search(outside_values(text, arguments)) or not _gives_no_number(text):
        return arguments, {}
    read, changes = dict(arguments), {}
    for name, schema in fn.parameters.get("properties", {}).items():
        if not _is_level(name, schema):
            continue
        small = {
            entry["args"][name]
            for entry in _setting_templates(app, fn, name)
            if _A_LITTLE.search(template_text(entry).lower())
        }
        if len(small) == 1 and (value := small.pop()) != arguments.get(name) and _in_range(value, schema):
            read[name] = value
            changes[name] = f"{arguments.get(name, NOT_WRITTEN)} -> {value}"
    return read, changes


def _level_templates(app: App, fn: Function, name: str) -> list[tuple[re.Pattern, Any]]:
    """(pattern, value) of each of ``fn``'s phrasebook templates, in every language, that sets
    ``name`` in words (read once per parameter)."""
    key = (app.name, fn.name, name)
    if key not in _LEVEL_TEMPLATES:
        _LEVEL_TEMPLATES[key] = [
            (re.compile(templates.pattern(templates.parse(entry["t"])), re.IGNORECASE), entry["args"][name])
            for entry in _setting_templates(app, fn, name)
        ]
    return _LEVEL_TEMPLATES[key]


def _is_level(name: str, schema: dict[str, Any]) -> bool:
    """A number between bounds that counts nothing and is no duration."""
    return (
        schema.get("type") in ("integer", "number")
        and "enum" not in schema
        and schema.get("minimum") is not None
        and schema.get("maximum") is not None
        and not counts(name, schema)
        and not _minutes(name, schema)
    )


def _said_in_words(app: App, fn: Function, name: str, text: str) -> bool:
    """Whether lower-case ``text`` says a word of a phrasebook template of ``fn``, in any language,
    that sets ``name`` without a number: "mute" of "(mute|silence) the {volume_type}" (level 0),
    "静音", "crack" of "(crack|open a bit) the {window} window" (percent 20)."""
    words = _level_words(app, fn, name)
    if not words:
        return False
    said = set(_LATIN_WORD.findall(text))
    joined = text.replace(" ", "")
    return any(word in said or (_CJK_RUN.fullmatch(word) and word in joined) for word in words)


def _level_words(app: App, fn: Function, name: str) -> frozenset[str]:
    """The words of ``fn``'s phrasebook templates, in every language, that set ``name`` without
    a number, outside their slots (read once per parameter)."""
    key = (app.name, fn.name, name)
    if key not in _LEVEL_WORDS:
        words: set[str] = set()
        for entry in _setting_templates(app, fn, name):
            literal = template_text(entry).lower()
            words.update(word for word in _LATIN_WORD.findall(literal) if word not in _FUNCTION_WORDS)
            words.update(_CJK_RUN.findall(literal))
        _LEVEL_WORDS[key] = frozenset(words)
    return _LEVEL_WORDS[key]


def _setting_templates(app: App, fn: Function, name: str) -> list[dict[str, Any]]:
    """``fn``'s phrasebook templates, in every language, that set ``name`` without a slot (a
    mapping whose ``args`` give it)."""
    return [
        entry
        for spec in function_specs(app, fn.name)
        for entry in spec.get("templates") or []
        if isinstance(entry, dict) and name in (entry.get("args") or {})
    ]


def _said_time(text: str, arguments: dict[str, Any]) -> str | None:
    """The one clock time or time from now lower-case ``text`` says outside the call's other
    values ("reserve Nopa for five people on Saturday at 8", "set an alarm to go off in an hour":
    the model wrote no ``time``), or None where it says none or more than one."""
    found = said_times(outside_values(text, arguments))
    return found[0] if len(found) == 1 else None


def _is_end_time(name: str, schema: dict[str, Any]) -> bool:
    """Whether the parameter is free text for when something ends ("end_time", "until")."""
    return schema.get("type") == "string" and "enum" not in schema and bool(END_NAME.search(name))


def _said_end(text: str, arguments: dict[str, Any]) -> str | None:
    """The one hour lower-case ``text`` says something lasts until: after "until" or "till"
    ("until 11"), or after "to" straight after a time the call starts at ("monday 9 to 11", "from 2
    pm to 3:30 pm"); None where it says none or more than one, or one inside another value."""
    found = [match.group(1) for match in _UNTIL_HOUR.finditer(outside_values(text, arguments))]
    for value in arguments.values():
        at = text.find(value.lower()) if isinstance(value, str) and says_when(value.lower()) else -1
        if at >= 0 and (after := _TO_HOUR.match(text, at + len(value))):
            found.append(after.group(1))
    return found[0] if len(set(found)) == 1 else None


def only_says_when(text: str) -> bool:
    """Whether lower-case ``text`` says a time or a date and nothing else: "7 am", "yesterday",
    "november twenty", "this morning" (a number alone, "1984", is no time)."""
    words = re.findall(r"[a-z']+|\d+", _WHEN.sub(" 0 ", text))
    cue = any(word in _TIME_CUES or word == "0" for word in words)
    return cue and all(word in _TIME_CUES or word in _TIME_JOINS or word.isdigit() or is_number_word(word)
                       for word in words)  # fmt: skip


def said_times(text: str) -> list[str]:
    """The clock times ("four pm", "7:30", "at 8") and the times from now ("in two hours") that
    lower-case ``text`` says, as written."""
    return [match.group(0) for pattern in (_CLOCK, _FROM_NOW) for match in pattern.finditer(text)]


def given_names(query: str) -> list[str]:
    """The names ``query`` gives what it makes, as written ("an alarm called gym", "call it work")."""
    return _NAMED.findall(query)


def _said_name(query: str, arguments: dict[str, Any]) -> str | None:
    """The one name ``query`` gives what it makes, as written ("set an alarm for 7 am called gym":
    the model wrote no ``label``), or None where it gives none, more than one, or one inside
    another value of the call (a title that says "called")."""
    return _the_one_apart(given_names(query), arguments)


def _said_message(query: str, arguments: dict[str, Any]) -> str | None:
    """What ``query`` says a message says, as written, where it ends the request after "saying"
    or "that says" ("send an email to bob@example.com saying the report is done": the model wrote
    no ``content``), or None where it says none, more than one, or one inside another value."""
    return _the_one_apart(_SAYING.findall(query), arguments)


def _the_one_apart(found: list[str], arguments: dict[str, Any]) -> str | None:
    """The one of ``found``, or None where there are none, more than one, or one inside another
    value of the call."""
    if len(found) != 1:
        return None
    values = [v.lower() for v in arguments.values() if isinstance(v, str)]
    return None if any(found[0].lower() in value for value in values) else found[0]


def _said_count(text: str, arguments: dict[str, Any]) -> int | None:
    """The one count lower-case ``text`` gives outside the call's other values, or None where it
    gives none or more than one: a number in digits or words (not an article: "a pizza"), how
    many in words ("a couple", "a dozen", "2 dozen"), or a numeral with a counter ("两份"), that is
    no clock time or date, no amount of a unit ("2 hours", "a 12 inch pizza", "for 4 people"), and
    no target ("up to 8")."""
    rest = outside_values(_untimed(text), arguments)
    found = [int(_amount(amount) * 12) for amount in _DOZENS.findall(rest)]  # "2 dozen": 24
    rest = _DOZENS.sub(" ", rest)
    found += [int(_amount(n)) for n in _ZH_THINGS.findall(rest)]  # "两份": 2
    rest = _ZH_THINGS.sub(" ", rest)
    for pattern, count in _COUNTS:
        found += [count] * len(pattern.findall(rest))
        rest = pattern.sub(" ", rest)
    found += [int(_amount(n)) for n in _BARE_COUNT.findall(rest)]
    return found[0] if len(found) == 1 else None


def _said_out_of_range(
    name: str, schema: dict[str, Any], value: Any, required: bool, text: str, arguments: dict[str, Any]
) -> bool:
    """Whether lower-case ``text`` gives a number parameter with a range its one number (digits or
    words, outside clock times, dates, years and the call's other values), that number lies
    outside the range, and the model wrote something else: "set the volume to 60" for a car's
    0-30 gave ``level=6``, the grammar having let the model write no more of "60" than the range
    allows. Neither the cut number nor the nearest bound is what the user said, so the value is
    asked for. An optional one is asked for where the model cut the number ("order 60 wings" gave
    ``quantity=6``: its default, one, is no more what the user said); elsewhere, its default
    included, the number may be about something else ("the forecast starting at seventeen"), and
    the value is left. A level the request moves by its number ("turn the temperature down two
    degrees") is not set to it, nor is a count a number a setting is taken to ("down to 20"); both
    are left to the other rules."""
    if schema.get("type") not in ("integer", "number") or "enum" in schema:
        return False
    if "minimum" not in schema and "maximum" not in schema:
        return False
    if not counts(name, schema) and (_MOVED.search(text) or re.search(r"\bby\b", text)):
        return False
    rest = _YEAR.sub(" ", outside_values(_untimed(text), arguments))
    if counts(name, schema):  # "turn the volume down to 20" sets a level: no count of steps
        rest = _TARGET.sub(" ", rest)
    numbers = _said_numbers(rest)
    if len(numbers) != 1 or numbers[0] == value or _in_range(numbers[0], schema):
        return False
    if required:
        return True
    said, written = f"{numbers[0]:g}", f"{value:g}" if isinstance(value, (int, float)) else ""
    return value != schema.get("default") and said.startswith(written) and said != written


def _said_numbers(text: str) -> list[float]:
    """Every number lower-case ``text`` says, in digits or in words ("60", "sixty", "forty five")."""
    return [float(n) for n in _DECIMAL.findall(text)] + [_amount(w) for w in _NUMBER_IN_WORDS.findall(text)]


def _in_range(value: float, schema: dict[str, Any]) -> bool:
    return schema.get("minimum", -math.inf) <= value <= schema.get("maximum", math.inf)


def _only_moved(name: str, schema: dict[str, Any], text: str) -> bool:
    """Whether ``text`` moves a level (a number between bounds that counts nothing and is no
    duration) one way without saying to what: "turn the brightness up", "unmute the phone"; or
    says its every number as an amount to move it by ("raise the temperature by 3 degrees", "open
    the window 10 percent more"), which sets it to no number said: the model wrote 30 and 10."""
    if not _is_level(name, schema):
        return False
    if _MOVED.search(text) and not _DIGITS.search(text) and not _NUMBER_WORD.search(text):
        return True
    amounts = _MOVED_BY.findall(text)
    return bool(amounts) and not _TARGET.search(text) and len(_said_numbers(text)) == len(amounts)


def _direction(schema: dict[str, Any], text: str) -> str | None:
    """The side of an enum of just "up" and "down" that the request says, where it says one. An
    enum with more ways ("upright", "recline") is left to the model: "sit up" is upright."""
    if sorted(str(v).lower() for v in schema.get("enum", [])) != ["down", "up"]:
        return None
    up, down = bool(_UP.search(text)), bool(_DOWN.search(text))
    return None if up == down else ("up" if up else "down")


def switches_a_silencing_mode(fn: Function) -> bool:
    """Whether ``fn`` switches a mode that silences something (Do Not Disturb, a silent mode)."""
    return bool(_SILENCING_MODE.search(f"{fn.name.replace('_', ' ')} {fn.description}"))


def _silenced_named(fn: Function, text: str) -> bool:
    """Whether ``fn`` switches a silencing mode and the request's switch cue is about what the
    mode silences ("turn off notifications"), not the mode ("turn off do not disturb")."""
    return switches_a_silencing_mode(fn) and bool(_SILENCED.search(text) and not _MODE_NAMED.search(text))


def _is_duration(name: str, schema: dict[str, Any]) -> bool:
    return schema.get("type") in ("integer", "number") and "enum" not in schema and _minutes(name, schema)


def _one_companion(text: str) -> bool:
    """Whether the request counts the speaker and one other person, and no other number."""
    left = _untimed(text)
    match = _COMPANION.search(left)
    if not match or _DIGITS.search(left):
        return False
    other = match.group(1) or match.group(2)
    several = other in _GROUPS or (other.endswith("s") and not other.endswith("ss"))
    numbers = [word for word in re.findall(r"[a-z]+", left) if word in _WORD_NUMBERS and word not in ("a", "an")]
    return not several and not numbers


def _unsaid_count(name: str, schema: dict[str, Any], value: Any, required: bool, text: str) -> bool:
    """Whether ``value`` of a parameter that counts is one the request never gives. A required
    count: no count once clock times and dates are set aside ("book a table at nobu at 7": the
    user is asked). An optional one other than its default: no number at all, since any number
    may be the one the model copied ("volume up by 4" keeps ``steps=4``; "will it snow in Visalia"
    had ``days=4``, "order a double cheeseburger" ``quantity=2``, both made up); or, where the
    request says its numbers in digits alone, none of them ("turn the volume down to 20" had
    ``steps=2``)."""
    if not counts(name, schema):
        return False
    if required:
        return not _says_a_count(text)
    if value == schema.get("default"):
        return False
    if not _says_a_number(text):
        return True
    in_digits_alone = not (_NUMBER_WORD.search(text) or _COUNT_CUE.search(text))
    return in_digits_alone and value not in {int(digits) for digits in _DIGITS.findall(text)}


def _gives_no_number(text: str) -> bool:
    """Whether lower-case ``text`` says no number in any form other than a clock time: no digit,
    number word or count (``_says_a_number``), no number written as one word of several parts
    ("veintidós", ``_NUMBER_STEM``)."""
    timeless = _CLOCK_TIME.sub(" ", text)
    return not _says_a_number(timeless) and not _NUMBER_STEM.search(timeless)


def _says_a_number(text: str) -> bool:
    """Whether the request says a number in any form: a digit, a number word ("four", "六",
    "zwei"), or how many in words ("a couple", "for me")."""
    return bool(_DIGITS.search(text) or _NUMBER_WORD.search(text) or _COUNT_CUE.search(text))


def _says_a_count(text: str) -> bool:
    """Whether the request says how many in any form: a digit or a number word that is no time or
    date, who comes along."""
    left = _untimed(text)
    return bool(_DIGITS.search(left) or _COUNT_CUE.search(left))


def said_target(text: str, schema: dict[str, Any]) -> int | float | None:
    """The one number lower-case ``text`` says something goes to ("turn it down to 20", "volume
    up to twenty"), in digits or in words, as ``schema`` types it; None where it says none or
    several, or one outside ``schema``'s range."""
    found = [number for match in _TARGET.finditer(text) for number in _said_numbers(match.group(1))]
    if len(found) != 1 or not _in_range(found[0], schema):
        return None
    return int(found[0]) if schema.get("type") == "integer" and found[0].is_integer() else found[0]


def says_the_maximum(text: str) -> bool:
    """Whether ``text`` says the top of a range ("max", "all the way", "as loud as", 最大)."""
    return bool(_MAXIMUM.search(text.lower()))


def says_the_minimum(text: str) -> bool:
    """Whether ``text`` says the bottom of a range ("minimum", "all the way down", 最小)."""
    return bool(_MINIMUM.search(text.lower()))


def says_when(text: str) -> bool:
    """Whether ``text`` says a time or a date: a clock time, a day of the month, a digit, or a
    word for a time ("tomorrow", "tonight", "monday")."""
    return bool(_WHEN.search(text) or _DIGITS.search(text) or TIME_WORDS & set(text.lower().split()))


@functools.lru_cache(maxsize=32)
def _untimed(text: str) -> str:
    """``text`` with its clock times and dates blanked out, where a count is looked for (read once
    per request, by both the count and the companion rules)."""
    return _WHEN.sub(" ", text)


def _says_a_duration(text: str) -> bool:
    """Whether the request says how long in any form: a digit, a number word, or a unit of time
    ("an hour", "half an hour", "zehn Minuten", "五分钟")."""
    return bool(_DIGITS.search(text) or _DURATION_CUE.search(text))


def _stated(name: str, schema: dict[str, Any], text: str) -> Any:
    """The value ``text`` gives the parameter in words, or None when it gives none clearly."""
    kind = schema.get("type")
    if kind == "boolean" and _is_switch(name, schema):
        negated = _NEGATED_STATE.search(text)
        if negated:
            return negated.group(1).lower() == "off"
        off, on = bool(_OFF.search(text)), bool(_ON.search(text))
        if off != on:
            return not off
        # No state said: the switch's own verbs, where its description names them ("unlock").
        verbs = switch_verbs(name, schema)
        if verbs is None:
            return None
        says_true, says_false = (bool(re.search(rf"\b{re.escape(verb)}\b", text, re.IGNORECASE)) for verb in verbs)
        return says_true if says_true != says_false else None
    if kind == "string":
        return _direction(schema, text)
    if kind not in ("integer", "number") or "enum" in schema:
        return None
    if _minutes(name, schema):
        minutes = _duration_minutes(text)
        if minutes is not None:
            return _clamped(minutes, schema)
    fahrenheit = _FAHRENHEIT.search(text)
    if fahrenheit and _celsius(name, schema):
        return _clamped(_in_celsius(float(fahrenheit.group(1))), schema)
    if _celsius(name, schema) and (degrees := _fahrenheit_by_range(text, schema)) is not None:
        return degrees
    dozens = _DOZENS.search(text)
    if dozens and kind == "integer" and not _minutes(name, schema):
        return _clamped(_amount(dozens.group(1)) * 12, schema)
    if counts(name, schema):
        if _one_companion(text):
            return _clamped(2, schema)
        people = _ZH_PEOPLE.search(text)
        if people:
            return _clamped(chinese_number(people.group(1)), schema)
    if _DIGITS.search(text):
        return None  # a number is written out: the model copies it
    low, high = schema.get("minimum"), schema.get("maximum")
    if high is not None and _MAXIMUM.search(text):
        return high
    if low is not None and _MINIMUM.search(text):
        return low
    setting = _SETTING_WORD.search(text)
    if setting and kind == "integer" and low == 0 and high is not None and high >= 2 and _is_level(name, schema):
        said = next(word for word in setting.groups() if word)
        return {"low": 1, "high": high}.get(said, (high + 1) // 2)
    if low == 0 and high is not None and high >= _PARTED_RANGE:
        part = next((share for pattern, share in _PARTS_OF_THE_WAY if pattern.search(text)), None)
        if part is not None:
            return round(high * part)
    for pattern, count in _COUNTS:
        if pattern.search(text):
            return _clamped(count, schema)
    if _is_level(name, schema):
        return _level_in_words(schema, text)
    return None


def _fahrenheit_by_range(text: str, schema: dict[str, Any]) -> int | None:
    """A temperature said without its unit that only Fahrenheit puts in a Celsius parameter's
    range: "set it to 72" for a car's 16-30 °C is 22 (the model wrote 17). None where the request
    says more or fewer numbers than one, or the number is in range as it stands."""
    numbers = _DIGITS.findall(text)
    if len(numbers) != 1 or _in_range(float(numbers[0]), schema):
        return None
    celsius = _in_celsius(float(numbers[0]))
    return celsius if _in_range(celsius, schema) else None


def _in_celsius(fahrenheit: float) -> int:
    return round((fahrenheit - 32) * 5 / 9)


def _level_in_words(schema: dict[str, Any], text: str) -> int | float | None:
    """The level lower-case ``text`` (no digits) sets in words ("volume to sixty": the model
    wrote 6), where it says exactly one number in words outside clock times, inside the range,
    and moves nothing by it ("turn it down by two" is no level)."""
    if _MOVED.search(text) or re.search(r"\bby\b", text):
        return None
    said = [_amount(word) for word in _NUMBER_IN_WORDS.findall(_untimed(text))]
    if len(said) != 1 or not _in_range(said[0], schema):
        return None
    return _clamped(said[0], schema)


def _is_switch(name: str, schema: dict[str, Any]) -> bool:
    description = schema.get("description", "") or ""
    return name.lower() in SWITCH_NAMES or bool(_SWITCH_DESCRIPTION.search(description) or switch_verbs(name, schema))


def _minutes(name: str, schema: dict[str, Any]) -> bool:
    return _in_unit(name, schema, "minute", "in minutes")


def _celsius(name: str, schema: dict[str, Any]) -> bool:
    return _in_unit(name, schema, "celsius", "celsius")


def _in_unit(name: str, schema: dict[str, Any], unit: str, described: str) -> bool:
    """Whether a parameter's name carries ``unit`` or its description says ``described``."""
    return unit in name.lower() or described in (schema.get("description", "") or "").lower()


def is_number_word(word: str) -> bool:
    """Whether lower-case ``word`` says a number or how many ("two", "dozen", "half", "zwanzig",
    "veintidós")."""
    return bool(
        word in _WORD_NUMBERS
        or _COUNT_CUE.fullmatch(word)
        or _DURATION_CUE.fullmatch(word)
        or _NUMBER_STEM.search(word)
    )


def _amount(word: str) -> float:
    if word[0].isdigit():
        return float(word)
    parts = re.split(r"[ -]", word)
    if parts[-1] == "hundred":  # "a hundred", "one hundred"
        return 100.0
    if len(parts) == 2:  # _COMPOUND_NUMBER
        return float(sum(_WORD_NUMBERS[part] for part in parts))
    if word in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[word])
    return float(chinese_number(word))


def _duration_minutes(text: str) -> int | None:
    """A duration said in hours, in minutes and a half or in seconds, in whole minutes (a part of
    a minute rounds up: a timer never ends early); None when the request says none."""
    chinese = _HOURS_ZH.search(text)
    if chinese:
        return round(_amount(chinese.group(1)) * 60 + (30 if chinese.group(2) or chinese.group(3) else 0))
    and_a_half = _HOURS_AND_A_HALF.search(text)
    if and_a_half:
        return round(_amount(and_a_half.group(1)) * 60 + 30)
    if _HALF_HOUR.search(text):
        return 30
    quarters = _QUARTERS_HOUR.search(text)
    if quarters:
        return 45 if any(group in ("three", "tres", "drei", "三") for group in quarters.groups()) else 15
    hours = _HOURS.search(text)
    if hours:
        minutes = _amount(hours.group(1)) * 60
        if hours.group(2):
            minutes += _amount(hours.group(2))
        elif hours.group(3):
            minutes += 30
        elif hours.group(4):
            minutes += 15
        return round(minutes)
    minutes_and_a_half = _MINUTES_AND_A_HALF.search(text)
    if minutes_and_a_half:
        return math.ceil(_amount(minutes_and_a_half.group(1)) + 0.5)
    seconds = _SECONDS.search(text)
    if seconds:
        return max(1, math.ceil(_amount(seconds.group(1) or seconds.group(2)) / 60))
    return None


def _clamped(value: float, schema: dict[str, Any]) -> int | float:
    low, high = schema.get("minimum", -math.inf), schema.get("maximum", math.inf)
    value = min(max(value, low), high)
    return int(value) if schema.get("type") == "integer" else value
