"""A value in Chinese or Japanese as the function's template that the request follows frames it."""

from __future__ import annotations

import pytest

from orchestrator.request.grounding import DROPPED
from orchestrator.request.unspaced_values import as_the_template_frames_it

from .conftest import premise_calls


@pytest.mark.parametrize(
    ("function", "query", "arguments", "framed"),
    [
        ("set_alarm", "7時にアラームをセットして", {"time": "7時にアラームをセットして"}, {"time": "7時"}),
        ("set_alarm", "7 時 に アラーム を セット し て", {"time": "7 時 に アラーム"}, {"time": "7 時"}),  # segmented
        ("play_music", "ジャズをかけて", {"query": "ジャズをかけて"}, {"query": "ジャズ"}),
        ("play_music", "hey siri ジャズをかけて", {"query": "hey siri ジャズをかけて"}, {"query": "ジャズ"}),
        ("set_alarm", "5時に会議のアラームをセットして", {"time": "会議のアラーム"}, {"time": "5時"}),  # in the label's
        ("set_alarm", "明天早上七点叫醒我", {"time": "七点", "label": "醒"}, {"time": "七点"}),  # 醒: of 叫醒 (wake);
        # "明天{time}叫醒我" and "{time}叫醒我" put other words in the time: left as written
        ("set_alarm", "明日の朝6時に起こして", {"time": "朝6時"}, {"time": "明日の朝6時"}),  # every template agrees
        ("set_alarm", "设一个早上六点的闹钟", {"time": "六点"}, {"time": "早上六点"}),
        ("send_text_message", "给小王发短信说我马上到", {"contact_name": "小王", "message": "马上到"},
         {"contact_name": "小王", "message": "我马上到"}),
        ("search_youtube_videos", "在油管搜索一下猫咪视频", {"query": "猫咪视频"}, {"query": "猫咪视频"}),  # 搜索
        ("set_alarm", "7時に起こして", {"time": "7時"}, {"time": "7時"}),
        ("get_weather_forecast", "巴黎的天气", {"location": "巴黎"}, {"location": "巴黎"}),  # 的 joins, no part of it
        ("set_alarm", "来週の予定を見せて", {"time": "来週"}, {"time": "来週"}),  # follows no template
        ("set_alarm", "set an alarm at 7 am", {"time": "at 7 am"}, {"time": "at 7 am"}),  # a script with spaces
    ],
)  # fmt: skip
def test_a_value_as_the_template_frames_it(builtin_registry, function: str, query: str, arguments, framed) -> None:
    app = builtin_registry.app("android")
    settled, changes = as_the_template_frames_it(app, app.function(function), arguments, query)
    assert settled == framed
    assert set(changes) == {name for name in arguments if arguments[name] != framed.get(name)}
    assert all(changes[name].endswith(DROPPED) for name in arguments if name not in framed)


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_call_is_framed_otherwise(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: every call the adapters learnt, and every one generated in any
    phrasebook language, already holds its values as the template it follows frames them."""
    application = project_registry.app(app)
    calls = premise_calls(project_registry, builtin_registry, app)
    assert len(calls) > 1500
    changed = [
        (query, arguments)
        for fn, arguments, query in calls
        if as_the_template_frames_it(application, fn, dict(arguments), query)[1]
    ]
    assert not changed


def test_values_as_the_template_frames_them_end_to_end(orchestrator) -> None:
    """Router, adapter and rule end to end: the android adapter, which learnt no Japanese, took
    the template's words into the time and the song."""
    assert orchestrator.run("7時にアラームをセットして").arguments.get("time") == "7時"
    assert orchestrator.run("ジャズをかけて").arguments.get("query") == "ジャズ"
