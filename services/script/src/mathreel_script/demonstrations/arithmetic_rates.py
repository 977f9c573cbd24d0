"""Rates: speed as distance over time, read off a distance-time graph whose slope is the speed, and the third of
speed, distance and time found from the other two, with the request's units carried into the answer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from pydantic import Field

from mathreel_scenelang.storyboard import (
    Circumscribe,
    PlotFunction,
    Scene,
    ShowAxes,
    ShowEquation,
    ShowPoint,
    ShowSegment,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._calculus_common import fit_range
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft
from mathreel_script.latex import format_number as num

_VALUE = r"(\d{1,5}(?:\.\d{1,3})?)"
_SPEED = re.compile(
    _VALUE + r"\s*(km/h|kph|km per hour|kilometres per hour|kilometers per hour|mph|miles per hour|m/s|"
    r"metres per second|meters per second)(?![\w/])",
    re.I,
)
_DISTANCE = re.compile(_VALUE + r"\s*(km|kilometres|kilometers|kilometre|kilometer|miles|mile|m|metres|meters)\b", re.I)
_TIME = re.compile(_VALUE + r"\s*(hours|hour|hrs|hr|h|minutes|minute|mins|min|seconds|second|s)\b", re.I)
_DISTANCE_UNITS = {"km": "km", "kilo": "km", "mile": "miles", "m": "m", "metre": "m", "meter": "m"}
_SPEED_UNITS = {"km": "km/h", "kph": "km/h", "kilo": "km/h", "mph": "mph", "mile": "mph", "m": "m/s", "metre": "m/s"}
_SPEED_UNITS["meter"] = "m/s"
_UNIT_WORDS = {"km": "kilometres", "miles": "miles", "m": "metres", "km/h": "kilometres per hour"}
_UNIT_WORDS.update({"mph": "miles per hour", "m/s": "metres per second", "h": "hours", "s": "seconds"})


def _unit(word: str, table: dict[str, str]) -> str:
    word = word.lower()
    return next(
        unit for prefix, unit in sorted(table.items(), key=lambda item: -len(item[0])) if word.startswith(prefix)
    )


@dataclass(frozen=True)
class Journey:
    """Two of speed, distance and time as a request gives them (``None`` for the one asked), in units that agree:
    km with hours, miles with hours, metres with seconds."""

    speed: Fraction | None
    distance: Fraction | None
    time: Fraction | None
    distance_unit: str
    time_unit: str
    minutes: Fraction | None = None  # a time given in minutes, converted to hours

    @property
    def speed_unit(self) -> str:
        return {"km": "km/h", "miles": "mph", "m": "m/s"}[self.distance_unit]


def journey_in(facts: ContextFacts) -> Journey | None:
    """Speed, distance and time from the request's words ("150 km in 2.5 hours", "at 60 mph for 3 hours"): two of
    them, with units this demonstration can make agree; else ``None``."""
    text = " ".join(facts.sentences)
    speed_found = _SPEED.search(text)
    rest = _SPEED.sub(" ", text)
    distance_found = _DISTANCE.search(rest)
    time_found = _TIME.search(rest)
    speed = Fraction(speed_found.group(1)) if speed_found else None
    distance = Fraction(distance_found.group(1)) if distance_found else None
    time = Fraction(time_found.group(1)) if time_found else None
    if sum(value is not None for value in (speed, distance, time)) != 2:
        return None
    if distance_found:
        distance_unit = _unit(distance_found.group(2), _DISTANCE_UNITS)
    elif speed_found:
        distance_unit = {"km/h": "km", "mph": "miles", "m/s": "m"}[_unit(speed_found.group(2), _SPEED_UNITS)]
    else:
        return None
    if (
        speed_found
        and _unit(speed_found.group(2), _SPEED_UNITS) != {"km": "km/h", "miles": "mph", "m": "m/s"}[distance_unit]
    ):
        return None
    minutes: Fraction | None = None
    time_unit = "s" if distance_unit == "m" else "h"
    if time is not None and time_found is not None:
        word = time_found.group(2).lower()
        given_unit = "s" if word.startswith("s") else "min" if word.startswith("min") else "h"
        if given_unit == "min" and time_unit == "h":
            minutes, time = time, time / 60
        elif given_unit != time_unit:
            return None
    if any(value is not None and not 0 < value <= 100000 for value in (speed, distance, time)):
        return None
    return Journey(speed, distance, time, distance_unit, time_unit, minutes)


class SpeedParams(Params):
    distance: int = Field(default=180, ge=1, le=100000)
    time: int = Field(default=3, ge=1, le=1000)
    unit: str = Field(default="km", pattern=r"^(km|miles|m)$")


@demonstration("speed_distance_time", SpeedParams)
def speed_distance_time(params: SpeedParams, facts: ContextFacts) -> list[Scene]:
    """A journey on a distance-time graph: a straight line from the start whose slope is the speed; the speed is
    distance over time (or the distance speed times time, or the time distance over speed), with its unit."""
    journey = journey_in(facts) or Journey(
        None, Fraction(params.distance), Fraction(params.time), params.unit, "s" if params.unit == "m" else "h"
    )
    d, t, v = journey.distance, journey.time, journey.speed
    if v is None and d is not None and t is not None:
        v = d / t
        asked = "speed"
    elif d is None and v is not None and t is not None:
        d = v * t
        asked = "distance"
    elif t is None and v is not None and d is not None:
        t = d / v
        asked = "time"
    else:
        raise ValueError("two of speed, distance and time are needed")
    if d != v * t:
        raise ValueError("speed check failed")
    du, tu, vu = journey.distance_unit, journey.time_unit, journey.speed_unit
    dt, tt, vt = num(float(d)), num(float(t)), num(float(v))
    words = {"km": "kilometres", "miles": "miles", "m": "metres", "h": "hours", "s": "seconds"}
    draft = SceneDraft("speed", "example", "Distance over time")
    told = {
        "speed": f"A journey covers {dt} {words[du]} in {tt} {words[tu]}. How fast, on average?",
        "distance": f"Travel at {vt} {_UNIT_WORDS[vu]} for {tt} {words[tu]}. How far?",
        "time": f"Cover {dt} {words[du]} at {vt} {_UNIT_WORDS[vu]}. How long does it take?",
    }[asked]
    given = [
        f"d = {dt}\\text{{ {du}}}" if asked != "distance" else "",
        f"t = {tt}\\text{{ {tu}}}" if asked != "time" else "",
    ]
    if asked != "speed":
        given.insert(0, f"v = {vt}\\text{{ {vu}}}")
    if journey.minutes is not None:
        given.append(f"{num(float(journey.minutes))}\\text{{ min}} = {tt}\\text{{ h}}")
    draft.beat(
        told + (f" {num(float(journey.minutes))} minutes is {tt} hours." if journey.minutes is not None else ""),
        ShowEquation(id="given", latex=",\\; ".join(part for part in given if part), region="top"),
        ShowAxes(
            id="ax",
            x_range=fit_range(0, float(t)),
            y_range=fit_range(0, float(d)),
            x_label=f"t\\,({tu})",
            y_label=f"d\\,({du})",
            region="left",
        ),
        ShowPoint(id="end", axes="ax", at=(float(t), float(d)), label=f"({tt}, {dt})", color="yellow"),
    )
    draft.beat(
        "At a steady speed the graph is a straight line from the start: its slope, distance over time, is the speed.",
        PlotFunction(id="trip", axes="ax", expression=f"{float(v)}*x", x_range=(0.0, float(t)), color="blue"),
        ShowEquation(id="rule", latex="v = \\frac{d}{t}", region="right"),
    )
    if asked == "speed":
        work, said = f"v = \\frac{{{dt}}}{{{tt}}} = {vt}\\text{{ {vu}}}", f"{dt} over {tt} is {vt}"
    elif asked == "distance":
        work, said = f"d = v t = {vt} \\times {tt} = {dt}\\text{{ {du}}}", f"{vt} times {tt} is {dt}"
    else:
        work, said = f"t = \\frac{{d}}{{v}} = \\frac{{{dt}}}{{{vt}}} = {tt}\\text{{ {tu}}}", f"{dt} over {vt} is {tt}"
    answer = {"speed": f"{vt} {_UNIT_WORDS[vu]}", "distance": f"{dt} {words[du]}", "time": f"{tt} {words[tu]}"}[asked]
    draft.beat(
        f"So {said}: the {asked} is {answer}.",
        ShowEquation(id="work", latex=work, region="bottom_right", color="yellow"),
        Circumscribe(target="work"),
    )
    one = Fraction(1)
    if one < t:
        draft.beat(
            f"Check on the graph: after 1 {words[tu][:-1]} the line has climbed {vt} {words[du]}, the speed.",
            ShowSegment(id="rise", axes="ax", start=(1.0, 0.0), end=(1.0, float(v)), dashed=True, color="green"),
            ShowPoint(id="one", axes="ax", at=(1.0, float(v)), label=vt, color="green"),
        )
    return [draft.build()]
