"""Values a request states in words: polarity, extremes, counts and durations, for the matching kind."""

from __future__ import annotations

import pytest

from orchestrator.calls import counts, stand_in
from orchestrator.catalog import builtin_tools
from orchestrator.data.datagen import generate
from orchestrator.data.languages import LANGUAGES
from orchestrator.registry import App, Function
from orchestrator.request.grounding import NOT_WRITTEN, missing
from orchestrator.request.value_words import (
    a_little_as_templated,
    phrased_levels,
    read_values,
    said_target,
    templated_levels,
    unsaid_levels,
)

from .conftest import DATA, committed_training_calls, premise_calls

# android's set_volume (0-100) wins over the vehicle's (0-30): the android one is listed last.
FUNCTIONS = {fn.name: fn for app in ("vehicle", "yelp", "doordash", "android") for fn in builtin_tools(app)[1]}


@pytest.mark.parametrize(
    ("function", "query", "model", "want"),
    [
        ("toggle_wifi", "switch wifi off", {"on": True}, {"on": False}),
        ("toggle_flashlight", "kill the flashlight", {"on": True}, {"on": False}),
        ("toggle_flashlight", "flashlight on please", {"on": False}, {"on": True}),
        ("toggle_wifi", "apaga el wifi", {"on": True}, {"on": False}),
        ("toggle_flashlight", "关掉手电筒", {"on": True}, {"on": False}),
        ("set_do_not_disturb", "don't disturb me", {"enabled": True}, {"enabled": True}),  # no cue
        ("set_do_not_disturb", "stop disturbing me for the rest of the day", {"enabled": True}, {"enabled": True}),
        ("toggle_wifi", "stop the wifi", {"on": True}, {"on": False}),
        ("set_do_not_disturb", "turn off do not disturb", {"enabled": True}, {"enabled": False}),
        ("set_timer", "set a timer for 1 hour", {"minutes": 1}, {"minutes": 60}),
        ("set_timer", "timer for an hour and a half", {"minutes": 1}, {"minutes": 90}),
        ("set_timer", "half an hour timer", {"minutes": 1}, {"minutes": 30}),
        ("set_timer", "90 second timer", {"minutes": 90}, {"minutes": 2}),
        ("set_timer", "set a timer for 5 minutes", {"minutes": 5}, {"minutes": 5}),
        ("set_timer", "设一个两个半小时的计时器", {"minutes": 2}, {"minutes": 150}),
        ("set_timer", "半小时后提醒我", {"minutes": 1}, {"minutes": 30}),
        ("set_timer", "pon un temporizador de una hora y media", {"minutes": 1}, {"minutes": 90}),
        ("set_timer", "stell einen Timer für eine Stunde", {"minutes": 1}, {"minutes": 60}),
        ("set_timer", "Timer 2 Stunden und 15 Minuten", {"minutes": 2}, {"minutes": 135}),
        ("set_timer", "1時間半のタイマーをセットして", {"minutes": 1}, {"minutes": 90}),
        ("toggle_flashlight", "Taschenlampe ausschalten", {"on": True}, {"on": False}),
        ("toggle_wifi", "WiFiを切って", {"on": True}, {"on": False}),
        ("toggle_wifi", "Wi-Fiを入れて", {"on": False}, {"on": True}),
        ("open_window", "open the window halfway", {"window": "driver", "percent": 100}, {"percent": 50}),
        ("open_window", "open the sunroof all the way", {"window": "sunroof", "percent": 10}, {"percent": 100}),
        ("set_volume", "volume to max", {"level": 10}, {"level": 100}),
        ("set_volume", "volume to 40", {"level": 40}, {"level": 40}),
        ("order_food", "order a dozen donuts", {"item": "donuts", "quantity": 1}, {"quantity": 12}),
        ("order_food", "a couple of tacos", {"item": "tacos", "quantity": 1}, {"quantity": 2}),
        ("search_businesses", "pizza places open now", {"term": "pizza", "open_now": True}, {"open_now": True}),
        ("toggle_wifi", "don't keep the wifi on", {"on": True}, {"on": False}),
        ("toggle_flashlight", "I don't want the flashlight on", {"on": True}, {"on": False}),
        ("set_do_not_disturb", "turn on do not disturb", {"enabled": False}, {"enabled": True}),
        ("set_fan_speed", "turn the fan all the way down", {"speed": 7}, {"speed": 0}),
        ("set_fan_speed", "fan all the way up", {"speed": 3}, {"speed": 7}),
        ("set_volume", "volume as quiet as it goes", {"level": 40}, {"level": 0}),
        ("set_timer", "set a timer for a quarter of an hour", {"minutes": 60}, {"minutes": 15}),
        ("set_timer", "three quarters of an hour", {"minutes": 1}, {"minutes": 45}),
        ("set_timer", "timer for an hour and a quarter", {"minutes": 60}, {"minutes": 75}),
        ("set_timer", "un temporizador de un cuarto de hora", {"minutes": 1}, {"minutes": 15}),
        ("set_timer", "stell einen Timer für eine Viertelstunde", {"minutes": 1}, {"minutes": 15}),
        ("set_timer", "一刻钟的计时器", {"minutes": 1}, {"minutes": 15}),
        ("set_timer", "set a timer for two and a half hours", {"minutes": 2}, {"minutes": 150}),
        ("set_volume", "volume to sixty", {"level": 6}, {"level": 60}),  # a level said in words
        ("set_volume", "set the volume to one hundred", {"level": 1}, {"level": 100}),
        ("set_fan_speed", "set the fan to level three", {"speed": 5}, {"speed": 3}),
        ("set_temperature", "set it to twenty two degrees", {"celsius": 20}, {"celsius": 22}),
        ("set_volume", "set the alarm volume to six at seven am", {"level": 60}, {"level": 6}),  # a time
        ("set_timer", "timer for ninety seconds", {"minutes": 90}, {"minutes": 2}),  # tens said in words
        ("set_timer", "timer for twenty-four hours", {"minutes": 4}, {"minutes": 1440}),  # not "four hours"
        ("set_timer", "a timer for one hour and forty five minutes", {"minutes": 45}, {"minutes": 105}),
        ("set_timer", "Timer für zweieinhalb Stunden", {"minutes": 2}, {"minutes": 150}),
        ("set_temperature", "set the temperature to 72 degrees fahrenheit", {"celsius": 17}, {"celsius": 22}),
        ("set_temperature", "make it 68 F in the car", {"celsius": 16.8}, {"celsius": 20}),
        ("set_temperature", "set it to 21 degrees", {"celsius": 21}, {"celsius": 21}),
        # a number only Fahrenheit puts in the car's 16-30 °C: the model wrote 17 for 72
        ("set_temperature", "set it to 72", {"celsius": 17}, {"celsius": 22}),
        ("set_temperature", "make it 68 degrees in here", {"celsius": 18}, {"celsius": 20}),
        # low, medium and high on a scale from 0 (off): the model wrote 0 for "on low"
        ("set_fan_speed", "fan on low", {"speed": 0}, {"speed": 1}),
        ("set_fan_speed", "set the fan to medium", {"speed": 1}, {"speed": 4}),
        ("set_seat_heating", "seat heating on medium", {"level": 1}, {"level": 2}),
        ("set_fan_speed", "fan speed high", {"speed": 7}, {"speed": 7}),
        ("set_fan_speed", "turn the fan all the way low", {"speed": 2}, {"speed": 0}),  # the minimum
        ("set_fan_speed", "how high is the fan", {"speed": 3}, {"speed": 3}),
        ("open_window", "open the passenger window a quarter of the way", {"percent": 3}, {"percent": 25}),
        ("set_volume", "set the volume to a third", {"level": 3}, {"level": 33}),
        ("set_volume", "volume two thirds of the way", {"level": 100}, {"level": 67}),
        ("set_fan_speed", "fan speed halfway", {"speed": 3}, {"speed": 3}),  # 0-7: no parts of the way
        ("order_food", "order a half dozen bagels", {"item": "bagels", "quantity": 12}, {"quantity": 6}),
        ("order_food", "order 2 dozen donuts", {"item": "donuts", "quantity": 2}, {"quantity": 24}),
        ("set_do_not_disturb", "no more do not disturb please", {"enabled": True}, {"enabled": False}),
        ("toggle_wifi", "I don't want wifi right now, turn it off", {"on": True}, {"on": False}),
        ("toggle_flashlight", "don't turn the flashlight off", {"on": False}, {"on": True}),
        ("toggle_air_conditioning", "I don't need the AC anymore", {"on": True}, {"on": True}),  # no state named
        ("set_timer", "start a timer for a half hour", {"minutes": 1}, {"minutes": 30}),
        ("set_timer", "timer for 1 and a half hour", {"minutes": 1}, {"minutes": 90}),
        ("set_timer", "set a timer for a minute and a half", {"minutes": 1}, {"minutes": 2}),  # rounds up
        ("set_timer", "two and a half minutes on the timer", {"minutes": 2}, {"minutes": 3}),
        ("set_do_not_disturb", "ok, end do not disturb", {"enabled": True}, {"enabled": False}),
        ("toggle_wifi", "disconnect from the wifi", {"on": True}, {"on": False}),
        ("toggle_wifi", "desconecta el wifi", {"on": True}, {"on": False}),
        ("toggle_wifi", "desactiva el wifi", {"on": True}, {"on": False}),  # "activa" inside is no on cue
        ("toggle_wifi", "断开wifi", {"on": True}, {"on": False}),
        ("set_do_not_disturb", "turn on do not disturb until the end of the day", {"enabled": True}, {"enabled": True}),
        # Do Not Disturb is on when notifications are off: the cue is about what the mode silences.
        ("set_do_not_disturb", "turn off notifications", {"enabled": False}, {"enabled": True}),
        ("set_do_not_disturb", "turn my notifications back on", {"enabled": True}, {"enabled": False}),
        ("set_do_not_disturb", "stop all alerts for an hour", {"enabled": False}, {"enabled": True}),
        ("set_do_not_disturb", "desactiva las notificaciones", {"enabled": False}, {"enabled": True}),
        ("set_do_not_disturb", "通知をオフにして", {"enabled": False}, {"enabled": True}),
        ("set_do_not_disturb", "turn off do not disturb, I want notifications", {"enabled": True}, {"enabled": False}),
        ("set_do_not_disturb", "silence my notifications", {"enabled": True}, {"enabled": True}),  # no cue
        ("toggle_wifi", "turn off wifi notifications", {"on": True}, {"on": False}),  # no silencing mode
        # An enum of up and down takes the side said; one with more ways is left to the model.
        ("adjust_volume", "louder please", {"direction": "down"}, {"direction": "up"}),
        ("adjust_volume", "make the music quieter", {"direction": "up"}, {"direction": "down"}),
        ("adjust_volume", "mach die Musik leiser", {"direction": "up"}, {"direction": "down"}),
        ("adjust_seat", "move the seat straight up", {"direction": "upright"}, {"direction": "upright"}),
        ("adjust_volume", "turn it up, not down", {"direction": "down"}, {"direction": "down"}),  # both said
        # The speaker and one other person are two; several or a group are no count.
        (
            "make_reservation",
            "book a table for me and my brother at midnight",
            {"party_size": 1, "time": "midnight"},
            {"party_size": 2},
        ),
        (
            "make_reservation",
            "reserve Perbacco for my sister and me at 7pm",
            {"party_size": 1, "time": "7pm"},
            {"party_size": 2},
        ),
        ("make_reservation", "book a table for me and my kids", {"party_size": 3}, {"party_size": 3}),
        ("make_reservation", "a table for me and two friends", {"party_size": 3}, {"party_size": 3}),
        ("make_reservation", "me and my wife and kids need a table", {"party_size": 4}, {"party_size": 4}),
        # A count of people in Chinese or Japanese numerals (the model wrote 10 for 十一); a date
        # before it ("五一", 1 May) is no count.
        ("make_reservation", "我想预订海底捞的位子，十一位", {"party_size": 10}, {"party_size": 11}),
        ("make_reservation", "预订大董，五一六点，五个人", {"party_size": 51}, {"party_size": 5}),
        ("make_reservation", "帮我订两个人的桌子", {"party_size": 1}, {"party_size": 2}),
        ("make_reservation", "すしざんまいを三名で予約して", {"party_size": 1}, {"party_size": 3}),
        ("make_reservation", "预订大董，五一，8位", {"party_size": 8}, {"party_size": 8}),
    ],
)
def test_values_said_in_words(function: str, query: str, model: dict, want: dict) -> None:
    arguments, changes = read_values(FUNCTIONS[function], model, query)
    assert {k: arguments[k] for k in want} == want
    assert set(changes) == {k for k in want if want[k] != model[k]}


@pytest.mark.parametrize(
    ("query", "model", "level"),
    [("set the volume to a third", {"level": 3}, 10), ("car volume halfway", {"level": 30}, 15)],
)
def test_a_part_of_the_way_is_of_the_parameter_s_range(builtin_registry, query: str, model: dict, level: int) -> None:
    """The car's volume runs 0-30: half of it is 15, not the phone's 50."""
    arguments, _ = read_values(builtin_registry.app("vehicle").function("set_volume"), model, query)
    assert arguments["level"] == level


@pytest.mark.parametrize(
    ("function", "query", "model", "asked"),
    [
        ("set_screen_brightness", "make the screen brighter", {"level": 1}, True),
        ("set_screen_brightness", "dim the screen", {"level": 1}, True),
        ("set_volume", "unmute my notifications", {"level": 0, "volume_type": "notification"}, True),
        ("set_fan_speed", "turn the fan down", {"speed": 0}, True),
        ("set_screen_brightness", "brighten the screen to 80 percent", {"level": 80}, False),
        ("set_fan_speed", "turn the fan up to five", {"speed": 5}, False),
        ("set_screen_brightness", "turn the brightness all the way up", {"level": 100}, False),
        ("set_volume", "mute the ringer", {"level": 0, "volume_type": "ring"}, False),  # mute says 0
    ],
)
def test_a_level_the_request_only_moves_is_asked_for(function: str, query: str, model: dict, asked: bool) -> None:
    """ "Brighter" says which way, not to what: the model wrote brightness 1 for it and volume 0 for
    "unmute", the opposite of the request. The level is asked for; a level said is kept."""
    arguments, changes = read_values(FUNCTIONS[function], model, query)
    level = next(name for name in model if name != "volume_type")
    assert (level not in arguments and changes.get(level, "").endswith("(needs input)")) == asked
    assert asked or arguments[level] == model[level]


@pytest.mark.parametrize(
    ("app", "function", "query", "model", "read"),
    [
        # The grammar let the model write no more of the number than the range allows.
        ("vehicle", "set_volume", "set the volume to 60", {"level": 6}, None),  # the car's 0-30
        ("vehicle", "set_volume", "volume to sixty", {"level": 6}, None),
        ("vehicle", "set_temperature", "set the temperature to 5", {"celsius": 16}, None),  # neither unit
        ("android", "set_timer", "set a timer for 2000 minutes", {"minutes": 200}, None),
        ("yelp", "make_reservation", "book Nopa for 25 people", {"business_name": "Nopa", "party_size": 2}, None),
        ("android", "get_trending_news", "show me the top 30 headlines", {"max_results": 3}, None),  # optional
        ("vehicle", "adjust_volume", "turn the volume up by 50", {"direction": "up", "steps": 5}, None),
        ("doordash", "order_food", "order 60 wings", {"item": "wings", "quantity": 6}, None),  # not the default 1
        # An optional value the model did not cut from the number: the number may be about something else.
        ("android", "get_weather_forecast", "forecast in Admire starting at seventeen", {"days": 1}, 1),
        ("vehicle", "set_volume", "volume like it was in 2019", {"level": 20}, 20),  # a year is no level
        ("vehicle", "set_volume", "set the volume to 60 at 7 pm", {"level": 6}, None),  # a clock time is none
        # In range, moved by, or more than one number: left as written.
        ("vehicle", "set_volume", "set the volume to 20", {"level": 20}, 20),
        ("android", "set_volume", "set the volume to 60", {"level": 60}, 60),  # the phone's 0-100
        ("yelp", "make_reservation", "table for 2 at 21 Club", {"business_name": "21 Club", "party_size": 2}, 2),
    ],
)
def test_a_number_said_outside_the_range_is_asked_for(app: str, function: str, query: str, model: dict, read):
    """ "set the volume to 60" for the car's 0-30 came back as ``level=6``: the user said neither
    the cut number nor a bound, nor an optional one's default. The value is asked for; an optional
    one only where the model cut the number."""
    fn = next(f for f in builtin_tools(app)[1] if f.name == function)
    name = next(n for n in model if n not in ("direction", "business_name", "item", "location"))
    arguments, changes = read_values(fn, model, query)
    if read is None:
        assert name not in arguments and changes[name].endswith("(needs input)")
    else:
        assert arguments[name] == read and name not in changes


@pytest.mark.parametrize(
    ("app", "function", "query", "model", "asked"),
    [
        ("vehicle", "set_temperature", "raise the temperature by 3 degrees", {"celsius": 30}, True),
        ("vehicle", "set_temperature", "turn the temperature down two degrees", {"celsius": 19}, True),
        ("vehicle", "set_temperature", "make it 2 degrees warmer", {"celsius": 20}, True),
        ("vehicle", "set_seat_heating", "turn my seat heat down by one", {"level": 2}, True),
        ("android", "set_screen_brightness", "set the brightness up by 20 percent", {"level": 20}, True),
        ("vehicle", "open_window", "open the window 10 percent more", {"percent": 10}, True),
        ("vehicle", "set_temperature", "stell die Temperatur um 2 Grad höher", {"celsius": 20}, True),
        # A number it is set to: the model's.
        ("vehicle", "set_volume", "turn the volume down to 20", {"level": 20}, False),
        ("vehicle", "set_temperature", "raise the temperature by 2 degrees to 24", {"celsius": 24}, False),
        ("vehicle", "set_temperature", "set the temperature to 22", {"celsius": 22}, False),
        # A count of steps is no level.
        ("vehicle", "adjust_volume", "turn the volume up by 2", {"direction": "up", "steps": 2}, False),
    ],
)  # fmt: skip
def test_a_level_moved_by_an_amount_is_asked_for(app: str, function: str, query: str, model: dict, asked: bool):
    """ "raise the temperature by 3 degrees" came back as ``set_temperature(celsius=30)``, "open
    the window 10 percent more" as ``percent=10``: an amount to move a level by is no value to
    set it to, and the level the user wants is not said."""
    fn = next(f for f in builtin_tools(app)[1] if f.name == function)
    arguments, changes = read_values(fn, model, query)
    moved = {name: f"{value} -> (needs input)" for name, value in model.items() if name not in ("direction", "steps")}
    assert (changes, arguments) == ((moved, {}) if asked else ({}, model))


@pytest.mark.parametrize(
    ("query", "model", "end"),
    [
        ("team sync on tuesday at 10 am until 11", {"title": "team sync", "start_time": "tuesday at 10 am"}, "11"),
        ("deep work monday 9 to 11", {"title": "deep work", "start_time": "monday 9"}, "11"),
        ("lunch at noon till 1:30 pm", {"title": "lunch", "start_time": "noon"}, "1:30 pm"),
        # Not an hour it lasts until: a way to somewhere, two ends, one the model wrote.
        ("drive to 5th avenue at 9", {"title": "drive to 5th avenue", "start_time": "9"}, None),
        ("standup at 9 until 10 or until 11", {"title": "standup", "start_time": "9"}, None),
        ("call at 3 until 4", {"title": "call", "start_time": "3", "end_time": "5"}, None),
    ],
)  # fmt: skip
def test_an_end_the_model_left_out_is_read(query: str, model: dict, end: str | None) -> None:
    arguments, changes = read_values(FUNCTIONS["create_calendar_event"], model, query)
    if end is None:
        assert (arguments, changes) == (model, {})
    else:
        assert (arguments, changes) == ({**model, "end_time": end}, {"end_time": f"(not written) -> {end}"})


def test_an_end_the_model_left_out_end_to_end(orchestrator) -> None:
    """Router, adapter and rules end to end: the adapter wrote no ``end_time``."""
    call = orchestrator.run("create a calendar event called team sync on tuesday at 10 am until 11")
    assert (call.function, call.arguments.get("end_time")) == ("create_calendar_event", "11")


def test_a_switch_whose_description_names_its_verbs_reads_them() -> None:
    """ "True to lock, false to unlock.": "unlock the back door" is false whatever the model wrote,
    "lock it" true; a request that says neither verb is left to the on/off cues and the model."""
    from orchestrator.registry import Function

    locked = {"type": "boolean", "description": "True to lock, false to unlock."}
    lock = Function("lock_door", "Lock or unlock a door.", {"type": "object", "properties": {"locked": locked}})
    assert read_values(lock, {"locked": True}, "unlock the back door")[0] == {"locked": False}
    assert read_values(lock, {"locked": False}, "please lock the front door")[0] == {"locked": True}
    assert read_values(lock, {"locked": True}, "lock door locked off")[0] == {"locked": False}
    assert read_values(lock, {"locked": True}, "secure the door")[0] == {"locked": True}


@pytest.mark.parametrize(
    ("query", "asked"),
    [
        ("set a timer", True),
        ("set a timer for the cookies", True),
        ("stell einen Timer", True),
        ("timer 5 minutes", False),
        ("set a timer for five", False),
        ("pon un temporizador de diez minutos", False),
        ("设置一个五分钟的计时器", False),
        ("タイマーを3分", False),
    ],
)
def test_a_duration_the_request_never_gave_is_asked_for(query: str, asked: bool) -> None:
    """ "set a timer" gave ``minutes=1``: a number nobody said. With no digit, number word or unit
    of time in the request, the duration is taken out and the call needs it."""
    arguments, changes = read_values(FUNCTIONS["set_timer"], {"minutes": 1}, query)
    if asked:
        assert arguments == {} and changes == {"minutes": "1 -> (needs input)"}
        assert missing(changes) == ["minutes"]
    else:
        assert (arguments, changes) == ({"minutes": 1}, {})


@pytest.mark.parametrize(
    ("query", "asked"),
    [
        ("book a table at nobu", True),
        ("make a dinner reservation at nobu for friday", True),
        ("reserva una mesa en Nobu para el viernes", True),
        ("帮我在大董订一张桌子", True),
        ("book a table for two at nobu", False),
        ("reserve nobu for 4 people", False),
        ("book a table at nobu for me and my family", False),
        ("reserve a table for me at nobu", False),
        ("reserva una mesa en Nobu para dos", False),
        ("帮我在大董订两个人的桌子", False),
        ("预约大董，thirteen个人", False),
        ("在 大董 预订 三 个 人 的 座位", False),
        ("Buche einen Tisch im Nobu für mich und meinen Onkel", False),
        ("book nobu at 7 on may 3", True),
        ("book nobu for 3 at 7 on may 3", False),
    ],
)
def test_a_count_of_people_the_request_never_gave_is_asked_for(query: str, asked: bool) -> None:
    """ "book a table at nobu" gave ``party_size=1``: nobody said how many. With no digit, number
    word or company named, the required count is taken out and the call needs it."""
    arguments, changes = read_values(FUNCTIONS["make_reservation"], {"business_name": "nobu", "party_size": 1}, query)
    if asked:
        assert "party_size" not in arguments and changes["party_size"] == "1 -> (needs input)"
    else:  # not asked; a count said in Chinese numerals is read ("两个人": 2)
        assert arguments["party_size"] >= 1 and "needs input" not in changes.get("party_size", "")


@pytest.mark.parametrize(
    ("function", "query", "model", "dropped"),
    [
        ("get_weather_forecast", "will it snow next winter in Visalia", {"location": "Visalia", "days": 4}, True),
        ("get_weather_forecast", "5 day forecast for Denver", {"location": "Denver", "days": 5}, False),
        ("get_weather_forecast", "weather in Denver for the next two days", {"location": "Denver", "days": 2}, False),
        ("order_food", "order a double bacon cheeseburger", {"item": "double bacon cheeseburger", "quantity": 2}, True),
        ("order_food", "order a couple of burgers", {"item": "burgers", "quantity": 2}, False),
        ("order_food", "order a pizza", {"item": "pizza", "quantity": 1}, False),  # the default
        ("get_trending_news", "how will brexit affect eu citizens", {"query": "brexit", "max_results": 1}, True),
        ("adjust_volume", "volume up by 4", {"direction": "up", "steps": 4}, False),
        ("adjust_volume", "turn the volume down to 20", {"direction": "down", "steps": 2}, True),  # 2 of 20
        ("get_trending_news", "top 3 tech news stories", {"query": "tech", "max_results": 3}, False),
        ("order_food", "order 2 large pizzas for 4 people", {"item": "large pizzas", "quantity": 2}, False),
        ("adjust_volume", "音量を七段階下げて", {"direction": "down", "steps": 7}, False),
        ("get_business_reviews", "显示海底捞的十九条评论", {"business_name": "海底捞", "limit": 19}, False),
        ("get_business_reviews", "zeig mir zwei Bewertungen von Nobu", {"business_name": "Nobu", "limit": 2}, False),
        ("get_trending_news", "top twenty headlines about football", {"query": "football", "max_results": 20}, False),
    ],
)  # fmt: skip
def test_an_optional_count_the_request_never_gave_is_dropped(function: str, query: str, model: dict, dropped: bool):
    """An optional count other than its default stands only where the request says a number: the
    model made up four days of forecast for "next winter" and two cheeseburgers for a "double"."""
    arguments, changes = read_values(FUNCTIONS[function], model, query)
    counted = [name for name in model if name not in FUNCTIONS[function].parameters["required"]][-1]
    if dropped:
        assert changes == {counted: f"{model[counted]} -> (dropped)"}
        assert arguments == {key: value for key, value in model.items() if key != counted}
    else:
        assert (arguments, changes) == (model, {})


def assert_left_out_read(fn: Function, query: str, model: dict, name: str, added: object) -> None:
    """``read_values`` adds ``name`` with ``added`` to the model's call, reported as not written,
    or (``added`` None) changes nothing."""
    arguments, changes = read_values(fn, model, query)
    if added is None:
        assert (arguments, changes) == (model, {})
    else:
        assert arguments == {**model, name: added}
        assert changes == {name: f"{NOT_WRITTEN} -> {added}"}


@pytest.mark.parametrize(
    ("function", "query", "model", "added"),
    [
        ("order_food", "I want three veggie burritos", {"item": "veggie burritos"}, 3),
        ("order_food", "order a couple of burgers from Five Guys", {"item": "burgers", "restaurant": "Five Guys"}, 2),
        ("order_food", "order half a dozen donuts", {"item": "donuts"}, 6),
        ("order_food", "order 2 dozen donuts from Dunkin", {"item": "donuts", "restaurant": "Dunkin"}, 24),
        ("order_food", "get three dozen cookies", {"item": "cookies"}, 36),
        ("order_food", "我要两份麦当劳的薯条", {"item": "薯条", "restaurant": "麦当劳"}, 2),
        ("order_food", "来3杯奶茶", {"item": "奶茶"}, 3),
        ("order_food", "来一份炒饭", {"item": "炒饭"}, None),  # one: the default
        ("order_food", "quiero dos tacos", {"item": "tacos"}, 2),
        ("order_food", "order 2 pizzas from 7-eleven", {"item": "pizzas"}, 2),
        ("order_food", "order a pizza", {"item": "pizza"}, None),  # an article is no count
        ("order_food", "get me a 12 inch pizza", {"item": "pizza"}, None),  # an amount of a unit
        ("order_food", "order pizza for 4 people", {"item": "pizza"}, None),
        ("order_food", "order two pizzas and three cokes", {"item": "pizzas"}, None),  # two counts
        ("order_food", "order from pizza 4 less", {"item": "pizza", "restaurant": "Pizza 4 Less"}, None),  # a value
        ("order_food", "order 80 wings", {"item": "wings"}, None),  # past the maximum (50)
        ("adjust_volume", "volume up to 8", {"direction": "up"}, None),  # a target, not steps
        ("adjust_volume", "volume up by 4", {"direction": "up"}, 4),  # "by" after a move: steps
        ("adjust_volume", "turn it down by two", {"direction": "down"}, 2),
        ("order_food", "get me three tacos by 7", {"item": "tacos"}, 3),  # "by 7" says when
        ("get_weather_forecast", "weather in Denver at 5", {"location": "Denver"}, None),  # a time
        ("order_food", "get me three tacos at 730 pm", {"item": "tacos"}, 3),  # a time said without a colon
        ("get_trending_news", "what is on november twenty", {}, None),  # a day of the month
        ("get_trending_news", "twenty headlines from may the fifth", {}, 20),
        ("get_trending_news", "headlines from the twenty second of april", {}, None),
    ],
)  # fmt: skip
def test_an_optional_count_the_model_left_out_is_read(function: str, query: str, model: dict, added: int | None):
    """A count the request gives that the model left out ("I want three veggie burritos" had no
    ``quantity``: one burrito), where it gives exactly one."""
    fn = FUNCTIONS[function]
    counted = next(name for name, schema in fn.parameters["properties"].items() if counts(name, schema))
    assert_left_out_read(fn, query, model, counted, added)


@pytest.mark.parametrize(
    ("query", "model", "added"),
    [
        ("reserve Nopa for five on Saturday at 8", {"business_name": "Nopa", "date": "Saturday", "party_size": 5}, "8"),
        ("table for 2 at Nobu at 7:30 pm", {"business_name": "Nobu", "party_size": 2}, "7:30 pm"),
        ("table for 2 at Nobu at 730 pm", {"business_name": "Nobu", "party_size": 2}, "730 pm"),
        ("book Zuni for 4 at seven tomorrow", {"business_name": "Zuni", "party_size": 4, "date": "tomorrow"}, "seven"),
        ("una mesa en Nobu para 2 a las 9", {"business_name": "Nobu", "party_size": 2}, "9"),
        ("book Zuni for 4 at 7 or at 8", {"business_name": "Zuni", "party_size": 4}, None),  # two times
        ("book Zuni for 4 tomorrow", {"business_name": "Zuni", "party_size": 4, "date": "tomorrow"}, None),
        ("book 7 Eleven Grill for 4", {"business_name": "7 Eleven Grill", "party_size": 4}, None),  # a value
        ("book Zuni for 4 at 8", {"business_name": "Zuni", "party_size": 4, "time": "8 pm"}, None),  # written
    ],
)  # fmt: skip
def test_an_optional_time_the_model_left_out_is_read(query: str, model: dict, added: str | None) -> None:
    """A clock time the request gives that the model left out of a reservation ("... on Saturday
    at 8" came back without ``time``), where it gives exactly one."""
    assert_left_out_read(FUNCTIONS["make_reservation"], query, model, "time", added)


@pytest.mark.parametrize(
    ("function", "query", "model", "name", "added"),
    [
        ("send_email", "send an email to bob@example.com saying the report is done", {"recipient": "bob@example.com"},
         "content", "the report is done"),
        ("send_text_message", "text Sarah that says Running late!", {"contact_name": "Sarah"}, "message",
         "Running late"),
        ("send_email", "email bob@example.com", {"recipient": "bob@example.com"}, "content", None),
        ("send_text_message", "text Sarah saying hi", {"contact_name": "Sarah", "message": "hi"}, "message", None),
    ],
)  # fmt: skip
def test_a_message_the_model_left_out_is_read(function: str, query: str, model: dict, name: str, added) -> None:
    """What the request says a message says, after "saying" at its end: an email with no subject
    came back asking for the body the request gives."""
    assert_left_out_read(FUNCTIONS[function], query, model, name, added)


@pytest.mark.parametrize(
    ("query", "model", "added"),
    [
        ("set an alarm to go off in an hour", {"label": "go off"}, "in an hour"),
        ("alarm for 6:45 am", {}, "6:45 am"),
        ("set an alarm", {}, None),
        ("set an alarm for 7 am or 8 am", {}, None),  # two times
    ],
)
def test_a_required_time_the_model_left_out_is_read(query: str, model: dict, added: str | None) -> None:
    """The same for a time the function requires: "set an alarm to go off in an hour" came back
    asking for the time the request gives."""
    assert_left_out_read(FUNCTIONS["set_alarm"], query, model, "time", added)


@pytest.mark.parametrize(
    ("query", "model", "added"),
    [
        ("set an alarm for 7 am called gym", {"time": "7 am"}, "gym"),
        ("create an alarm named Water Plants at 6", {"time": "6"}, "Water Plants"),
        ("wake me up at 6:30 labelled meds, thanks", {"time": "6:30"}, "meds"),
        ("wake me at 7 and call it work", {"time": "7"}, "work"),
        ("alarm at 7 called gym and one called swim", {"time": "7"}, None),  # two names
        ("set an alarm for 7 am", {"time": "7 am"}, None),  # none said
        ("alarm at 8pm labeled meds", {"time": "8pm", "label": "meds"}, None),  # written
    ],
)  # fmt: skip
def test_an_optional_name_the_model_left_out_is_read(query: str, model: dict, added: str | None) -> None:
    """A name the request gives what it makes that the model left out ("set an alarm for 7 am
    called gym" came back without ``label``), as the request writes it, where it gives one."""
    assert_left_out_read(FUNCTIONS["set_alarm"], query, model, "label", added)


@pytest.mark.parametrize(
    ("app", "function", "query", "model", "asked"),
    [
        ("vehicle", "set_temperature", "temperature now", {"celsius": 19}, True),
        ("android", "set_screen_brightness", "this is too bright", {"level": 1}, True),
        ("doordash", "rate_order", "rate my last order", {"stars": 5}, True),
        ("vehicle", "set_temperature", "set it to 22", {"celsius": 22}, False),
        ("vehicle", "set_temperature", "make it twenty two degrees", {"celsius": 22}, False),
        ("vehicle", "set_temperature", "stell die Temperatur auf zweiundzwanzig Grad", {"celsius": 22}, False),
        ("android", "set_screen_brightness", "max brightness", {"level": 100}, False),  # a word for the value
        ("android", "set_volume", "mute the alarm", {"level": 0, "volume_type": "alarm"}, False),  # set in words
        ("vehicle", "open_window", "crack the driver window", {"window": "front_left", "percent": 20}, False),
        ("android", "set_volume", "アラーム を ミュート し て", {"level": 0, "volume_type": "alarm"}, False),
        # The words that set a level are the phrasebook's, not the object's: "alarm" alone and
        # "Wecker ein" (alarm on) are no mute.
        ("android", "set_volume", "alarm", {"level": 0, "volume_type": "media"}, True),
        ("android", "set_volume", "Wecker ein", {"level": 0, "volume_type": "media"}, True),
        # A clock time is no level ("615 Uhr" gave 61); a level said beside one is kept.
        ("android", "set_volume", "Wecker für 615 Uhr früh einstellen", {"level": 61, "volume_type": "media"}, True),
        ("android", "set_volume", "at 7 pm set the ringer to 30", {"level": 30, "volume_type": "ring"}, False),
        ("android", "set_screen_brightness", "brightness at 70", {"level": 70}, False),
        ("android", "set_volume", "turn the ringer down to nothing", {"level": 0, "volume_type": "ring"}, False),
    ],
)  # fmt: skip
def test_a_level_the_request_gives_no_value_for_is_asked_for(
    builtin_registry, app: str, function: str, query: str, model: dict, asked: bool
) -> None:
    """A required level with no number said (clock times aside), no word for one, and no word of
    a phrasebook template that sets it in words is a number the model made up ("temperature now":
    ``celsius=19``): the user is asked."""
    application = builtin_registry.app(app)
    arguments, changes = unsaid_levels(application, application.function(function), model, query)
    level = next(name for name in model if name not in ("volume_type", "window"))
    if asked:
        assert changes == {level: f"{model[level]} -> (needs input)"}
        assert arguments == {k: v for k, v in model.items() if k != level}
    else:
        assert (arguments, changes) == (model, {})


def assert_read_as_meant(app: App, fn: Function, arguments: dict, query: str, context: object) -> None:
    """The rules' premise on one training row: they read the values it means and change nothing,
    except that a count it leaves unsaid (an incomplete request's stand-in) is asked for. No level
    is: the generator writes none unsaid, and a level's stand-in (its minimum) is also what "mute"
    sets."""
    properties = fn.parameters["properties"]
    read, changes = read_values(fn, arguments, query)
    read, asked_levels = unsaid_levels(app, fn, read, query)
    changes |= asked_levels
    # DoorDash's "(order|get) (me|us) (a couple of|a|some) {item}" says a couple without setting
    # ``quantity``; the rule reads the 2 the request says. Fixing the template means training the
    # default base's adapters again, and the draws trained so were worse (docs/accuracy.md,
    # sessions 33-34).
    if "a couple of" in query and changes.get("quantity") == f"{NOT_WRITTEN} -> 2":
        del changes["quantity"], read["quantity"]
    asked = [name for name in missing(changes) if counts(name, properties[name])]
    assert all(arguments[name] == stand_in(properties[name]) for name in asked), context
    assert changes == {name: f"{arguments[name]} -> (needs input)" for name in asked}, context
    assert read == {key: value for key, value in arguments.items() if key not in asked}, context


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_the_rules_never_change_a_training_target(project_registry, app: str) -> None:
    """The rules' premise, on the committed training data."""
    calls = committed_training_calls(project_registry, app)
    for fn, arguments, query, row in calls:
        assert_read_as_meant(project_registry.app(app), fn, arguments, query, row)
    assert calls


def test_the_rules_read_an_app_phrased_from_its_schemas_alone_as_its_data_means(tmp_path) -> None:
    """The same premise for an app added from a tools file (the CI app, no phrasebook): its
    generator says a switch is "enabled" or "disabled" beside the parameter's name ("set lights
    kitchen room disabled on"), and a rule must not read that "on" as the state."""
    from orchestrator.registry import Registry, tools_from_file

    registry = Registry(path=tmp_path / "registry.yaml")
    app = registry.add_app("smarthome", *tools_from_file(DATA / "smarthome.json"))
    examples, _ = generate(app, 400, seed=11, registry=registry)
    calls = [(app.function(ex.function), ex) for ex in examples if ex.function]
    for fn, ex in calls:
        assert_read_as_meant(app, fn, ex.arguments, ex.query, ex)
    assert any("disabled" in ex.query for _, ex in calls) and len(calls) > 300


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_the_rules_read_every_phrasebook_language_as_its_data_means(builtin_registry, app: str) -> None:
    """The same premise on requests generated in every phrasebook language: a rule that fires on a
    German or Japanese request reads the value the request was written for."""
    examples, _ = generate(builtin_registry.app(app), 600, seed=11, registry=builtin_registry, languages=LANGUAGES)
    calls = [(builtin_registry.app(app).function(ex.function), ex) for ex in examples if ex.function]
    for fn, ex in calls:
        assert_read_as_meant(builtin_registry.app(app), fn, ex.arguments, ex.query, ex)
    assert len(calls) > 300


@pytest.mark.parametrize(
    ("query", "model", "read"),
    [
        ("crack the rear left window", {"window": "rear_left", "percent": 100}, 20),  # "(crack|open a bit) the ..."
        ("please crack the passenger window", {"window": "front_right", "percent": 100}, 20),
        ("roll up the driver window", {"window": "front_left", "percent": 20}, 0),
        ("open the window a bit", {"percent": 20}, 20),  # said as no template: the model's
        ("open the rear window halfway", {"window": "rear_left", "percent": 50}, 50),
    ],
)  # fmt: skip
def test_a_level_a_template_sets_in_words_is_read(builtin_registry, query: str, model: dict, read: int) -> None:
    """ "crack the rear left window" came back fully open: the phrasebook's template for it sets 20."""
    app = builtin_registry.app("vehicle")
    arguments, changes = templated_levels(app, app.function("open_window"), model, query)
    assert arguments["percent"] == read and (("percent" in changes) == (read != model["percent"]))


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_level_is_other_than_its_template_sets(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: no level the adapters learnt differs from what a template the request
    is said as sets (committed training data, English and other languages; requests generated in
    every phrasebook language)."""
    application = project_registry.app(app)
    calls = premise_calls(project_registry, builtin_registry, app)
    assert not [(query, changes) for fn, arguments, query in calls
                if (changes := templated_levels(application, fn, arguments, query)[1])]  # fmt: skip


@pytest.mark.parametrize(
    ("function", "query", "model", "read"),
    [
        ("open_window", "crack the window a little", {"percent": 100}, {"percent": 20}),
        ("open_window", "open the windows a little", {"percent": 1}, {"percent": 20}),
        ("open_window", "open the passenger window slightly", {"window": "front_right", "percent": 100},
         {"window": "front_right", "percent": 20}),
        ("open_window", "open the window a bit, 30 percent", {"percent": 30}, {"percent": 30}),  # a number said
        ("open_window", "open the window", {"percent": 100}, {"percent": 100}),
        ("set_seat_heating", "heat the driver seat a little", {"seat": "driver", "level": 2},
         {"seat": "driver", "level": 1}),
        ("set_fan_speed", "turn the fan down a bit", {"speed": 2}, {"speed": 2}),  # no template says it
    ],
)  # fmt: skip
def test_a_little_is_what_the_templates_make_it(builtin_registry, function: str, query: str, model, read) -> None:
    app = builtin_registry.app("vehicle")
    arguments, changes = a_little_as_templated(app, app.function(function), model, query)
    assert arguments == read and set(changes) == {name for name in read if read[name] != model.get(name)}


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_level_is_other_than_a_little(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: no level the adapters learnt for a request that says a small amount
    differs from the one its function's templates give it (committed training data, English and
    other languages; requests generated in every phrasebook language)."""
    application = project_registry.app(app)
    calls = premise_calls(project_registry, builtin_registry, app)
    assert not [(query, changes) for fn, arguments, query in calls
                if (changes := a_little_as_templated(application, fn, arguments, query)[1])]  # fmt: skip


@pytest.mark.parametrize(
    ("function", "query", "model", "read"),
    [
        ("open_window", "roll up all windows", {"window": "all", "percent": 100}, {"window": "all", "percent": 0}),
        ("open_window", "roll down all windows", {"window": "all", "percent": 100}, None),
        ("open_window", "open all windows", {"window": "all", "percent": 100}, None),  # "open" says every value
        ("open_window", "roll up the windows to 30 percent", {"percent": 100}, None),  # a number said
        ("open_window", "crack the window", {"percent": 100}, None),  # 20 is no end: the rules reading it whole
        ("set_seat_heating", "turn off the seat heater", {"level": 3}, {"level": 0}),
        ("set_seat_heating", "turn off the seat heater", {"level": 2}, None),  # not at an end
        ("set_seat_heating", "seat heater off, no, max", {"level": 0}, None),  # two ends said
    ],
)  # fmt: skip
def test_an_end_said_otherwise_is_the_other_end(builtin_registry, function: str, query: str, model, read) -> None:
    app = builtin_registry.app("vehicle")
    arguments, changes = phrased_levels(app, app.function(function), model, query)
    assert arguments == (model if read is None else read)
    assert set(changes) == {name for name in arguments if arguments[name] != model.get(name)}


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_level_is_at_the_end_its_phrase_denies(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: no level the adapters learnt is at the end of its range opposite the
    one its request's phrase says (committed training data, English and other languages; requests
    generated in every phrasebook language)."""
    application = project_registry.app(app)
    calls = premise_calls(project_registry, builtin_registry, app)
    assert not [(query, changes) for fn, arguments, query in calls
                if (changes := phrased_levels(application, fn, arguments, query)[1])]  # fmt: skip


def test_an_end_said_otherwise_end_to_end(orchestrator) -> None:
    """Router, adapter and rules end to end: the adapter opened every window for "roll up"."""
    call = orchestrator.run("roll up all windows")
    assert (call.function, call.arguments.get("percent")) == ("open_window", 0)


def test_a_level_moved_by_an_amount_end_to_end(orchestrator) -> None:
    """Router, adapter and rules end to end: the adapter set the temperature to 30."""
    call = orchestrator.run("raise the temperature by 3 degrees")
    assert (call.function, call.arguments.get("celsius"), call.needs_input) == ("set_temperature", None, ["celsius"])


def test_a_little_end_to_end(orchestrator) -> None:
    """Router, adapter and rules end to end: the adapter opened the window all the way."""
    call = orchestrator.run("crack the window a little")
    assert (call.function, call.arguments.get("percent")) == ("open_window", 20)


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("turn the volume down to 20", 20),
        ("volume up to twenty five", 25),
        ("turn it up by 2", None),  # a step, not where it goes
        ("drive to 5th avenue", None),  # an ordinal names a place
        ("turn it down to 2, no, to 3", None),  # two numbers said
        ("turn it up", None),
    ],
)  # fmt: skip
def test_the_number_something_goes_to(text: str, target: float | None) -> None:
    assert said_target(text, {"type": "integer", "minimum": 0, "maximum": 100}) == target
    assert said_target(text, {"type": "integer", "minimum": 0, "maximum": 10}) is None  # out of range
