"""Arrows in the plane: vectors (components, length and direction, sums tip to tail, multiples, the dot product and
the angle it gives) and complex numbers (a point a + b i, sums, products that turn and stretch, conjugates, polar
form and powers). The plane is drawn as the scene's figure, so angles can be marked on it."""

from __future__ import annotations

import math
from typing import Literal

import sympy
from pydantic import Field

from mathreel_scenelang.storyboard import (
    Action,
    Circumscribe,
    Region,
    Remove,
    Scene,
    ShowAngle,
    ShowArrow,
    ShowEquation,
    ShowPoint,
    ShowPolygon,
    ShowSegment,
    TransformEquation,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._figure_tools import check, context_ints, deg, given_ints, num, pt
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft

Vec = tuple[int, int]


def _plane(points: list[tuple[float, float]], x_name: str, y_name: str, region: Region | None = None) -> list[Action]:
    """Two axes through the origin, long enough for every point, drawn as part of the figure (in ``region`` when
    given: a figure taller than wide is larger in a side column than in the band between a top and a bottom
    formula)."""
    xs = [p[0] for p in points] + [0.0]
    ys = [p[1] for p in points] + [0.0]
    lo_x, hi_x, lo_y, hi_y = min(xs) - 1, max(xs) + 1, min(ys) - 1, max(ys) + 1
    return [
        ShowArrow(id="x_axis", start=(lo_x, 0.0), end=(hi_x, 0.0), color="grey", region=region),
        ShowArrow(id="y_axis", start=(0.0, lo_y), end=(0.0, hi_y), color="grey"),
        ShowPoint(id="x_name", at=(hi_x, 0.0), label=x_name, color="grey"),
        ShowPoint(id="y_name", at=(0.0, hi_y), label=y_name, color="grey"),
        ShowPoint(id="origin", at=(0.0, 0.0), label="0", color="grey"),
    ]


def _arrow(
    id_: str, v: tuple[float, float], label: str, color: str, start: tuple[float, float] = (0.0, 0.0)
) -> ShowArrow:
    return ShowArrow(id=id_, start=start, end=pt(start[0] + v[0], start[1] + v[1]), label=label, color=color)  # type: ignore[arg-type]


def _length(v: Vec) -> sympy.Expr:
    return sympy.sqrt(v[0] ** 2 + v[1] ** 2)


def _len_text(value: sympy.Expr) -> tuple[str, str]:
    """(latex, said) for an exact length."""
    if value.is_Integer:
        return str(value), str(value)
    return f"{sympy.latex(value)} \\approx {num(float(value))}", f"about {num(float(value))}"


class VectorParams(Params):
    op: Literal["components", "add", "scale", "dot"] = "add"
    u1: int = Field(default=3, ge=-6, le=6)
    u2: int = Field(default=1, ge=-6, le=6)
    v1: int = Field(default=1, ge=-6, le=6)
    v2: int = Field(default=2, ge=-6, le=6)
    k: int = Field(default=2, ge=-3, le=3)


@demonstration("vector_operations", VectorParams)
def vector_operations(params: VectorParams, facts: ContextFacts) -> list[Scene]:
    """Vectors as arrows: components and length; a sum drawn tip to tail with its parallelogram; a multiple that
    stretches or flips; the dot product computed from components and the angle it gives between two arrows."""
    found = context_ints(facts, 4, -6, 6)
    if found and ((found[0], found[1]) == (0, 0) or (found[2], found[3]) == (0, 0)):
        found = None  # a zero vector has no direction to show
    u: Vec = (found[0], found[1]) if found else (params.u1, params.u2)
    v: Vec = (found[2], found[3]) if found else (params.v1, params.v2)
    if u == (0, 0) or v == (0, 0):
        raise ValueError("vectors must not be zero")
    op = params.op
    draft = SceneDraft("vectors", "explanation", "Vectors as arrows")
    if op == "components":
        length = _length(u)
        check(length**2 == u[0] ** 2 + u[1] ** 2, "length")
        angle = math.degrees(math.atan2(u[1], u[0]))
        latex, said = _len_text(length)
        draft.beat(
            f"The vector {u[0]}, {u[1]} is an arrow from the origin to the point {u[0]}, {u[1]}.",
            *_plane([u], "x", "y"),
            _arrow("u", u, f"({u[0]}, {u[1]})", "yellow"),
        ).beat(
            f"Its components: {u[0]} across and {u[1]} up.",
            ShowSegment(
                id="across", start=(0.0, 0.0), end=(float(u[0]), 0.0), label=str(u[0]), dashed=True, color="blue"
            ),
            ShowSegment(
                id="up",
                start=(float(u[0]), 0.0),
                end=(float(u[0]), float(u[1])),
                label=str(u[1]),
                dashed=True,
                color="green",
            ),
        ).beat(
            f"By Pythagoras its length is the square root of {u[0]} squared plus {u[1]} squared: {said}.",
            ShowEquation(id="length", latex=f"|\\vec{{u}}| = \\sqrt{{{u[0]}^2 + {u[1]}^2}} = {latex}", region="top"),
        ).beat(
            f"Its direction is the angle it makes with the x axis: about {num(angle, 1)} degrees.",
            ShowAngle(id="dir", vertex=(0.0, 0.0), a=(1.0, 0.0), b=(float(u[0]), float(u[1])), label=deg(angle)),
            ShowEquation(
                id="angle",
                latex=f"\\theta = \\arctan \\frac{{{u[1]}}}{{{u[0]}}} \\approx {deg(angle)}"
                if u[0] > 0
                else f"\\theta \\approx {deg(angle)}",
                region="bottom",
            ),
        )
        return [draft.build()]
    if op == "scale":
        k = params.k if params.k not in (0, 1) else 2
        ku = (k * u[0], k * u[1])
        draft.beat(
            f"Take the vector u equals {u[0]}, {u[1]}.",
            *_plane([u, ku, (-u[0], -u[1])], "x", "y"),
            _arrow("u", u, f"({u[0]}, {u[1]})", "yellow"),
        ).beat(
            f"Multiplying by {k} multiplies each component by {k}: {ku[0]}, {ku[1]}.",
            _arrow("ku", ku, f"({ku[0]}, {ku[1]})", "red"),
            ShowEquation(
                id="calc",
                latex=f"{k}\\vec{{u}} = ({k} \\cdot {u[0]}, {k} \\cdot {u[1]}) = ({ku[0]}, {ku[1]})",
                region="top",
            ),
        ).beat(
            f"The arrow keeps its line; it is {abs(k)} times as long"
            + (", and a negative number turns it around." if k < 0 else "."),
            ShowSegment(
                id="line",
                start=pt(-1.2 * abs(k) * u[0], -1.2 * abs(k) * u[1]),
                end=pt(1.2 * abs(k) * u[0], 1.2 * abs(k) * u[1]),
                dashed=True,
                color="grey",
            ),
        ).beat(
            "Multiplying by minus one gives the opposite vector, the same length pointing the other way.",
            _arrow("neg", (-u[0], -u[1]), f"({-u[0]}, {-u[1]})", "green"),
        )
        check(_length(ku) == abs(k) * _length(u), "scaling")
        return [draft.build()]
    if op == "add":
        s = (u[0] + v[0], u[1] + v[1])
        check(sympy.Matrix(u) + sympy.Matrix(v) == sympy.Matrix(s), "sum")
        draft.beat(
            f"Two vectors: u equals {u[0]}, {u[1]} and v equals {v[0]}, {v[1]}.",
            *_plane([u, v, s], "x", "y"),
            _arrow("u", u, f"\\vec{{u}}=({u[0]}, {u[1]})", "yellow"),
            _arrow("v", v, f"\\vec{{v}}=({v[0]}, {v[1]})", "blue"),
        ).beat(
            "To add them, start v where u ends: tip to tail.",
            _arrow("v_moved", v, "", "blue", start=(float(u[0]), float(u[1]))),
        ).beat(
            f"The sum runs from the start to the final tip: {s[0]}, {s[1]}, adding component by component.",
            _arrow("sum", s, f"({s[0]}, {s[1]})", "red"),
            ShowEquation(id="calc", latex=f"({u[0]}, {u[1]}) + ({v[0]}, {v[1]}) = ({s[0]}, {s[1]})", region="top"),
        ).beat(
            "Starting with v instead gives the same tip: the arrows make a parallelogram, so the order does not "
            "matter.",
            ShowPolygon(
                id="para",
                vertices=[
                    (0.0, 0.0),
                    (float(u[0]), float(u[1])),
                    (float(s[0]), float(s[1])),
                    (float(v[0]), float(v[1])),
                ],
                color="purple",
                fill_opacity=0.15,
            ),
            _arrow("u_moved", u, "", "yellow", start=(float(v[0]), float(v[1]))),
        )
        return [draft.build()]
    dot = u[0] * v[0] + u[1] * v[1]
    lu, lv = _length(u), _length(v)
    cos = sympy.nsimplify(dot) / (lu * lv)
    angle = math.degrees(math.acos(float(cos)))
    measured = math.degrees(abs(math.atan2(u[0] * v[1] - u[1] * v[0], dot)))
    check(abs(angle - measured) < 1e-6, "angle from the dot product")
    draft.beat(
        f"Take u equals {u[0]}, {u[1]} and v equals {v[0]}, {v[1]}.",
        *_plane([u, v], "x", "y", region="left"),
        _arrow("u", u, f"({u[0]}, {u[1]})", "yellow"),
        _arrow("v", v, f"({v[0]}, {v[1]})", "blue"),
    ).beat(
        f"The dot product multiplies matching components and adds: {u[0]} times {v[0]} plus {u[1]} times {v[1]} "
        f"is {dot}.",
        ShowEquation(
            id="calc",
            latex=f"\\vec{{u}} \\cdot \\vec{{v}} = {u[0]} \\cdot {v[0]} + {u[1]} \\cdot {v[1]} = {dot}",
            region="top_right",
        ),
    ).beat(
        f"It also equals the lengths times the cosine of the angle between them, so the cosine is {dot} over "
        f"{sympy.latex(lu * lv).replace(chr(92) + 'sqrt', 'root ')}."
        if False
        else "It also equals the two lengths times the cosine of the angle between them: the cosine is about "
        f"{num(float(cos), 3)}.",
        ShowAngle(
            id="unknown", vertex=(0.0, 0.0), a=(float(u[0]), float(u[1])), b=(float(v[0]), float(v[1])), label="\\theta"
        ),
        ShowEquation(
            id="cos",
            latex=f"\\cos\\theta = \\frac{{{dot}}}{{{sympy.latex(lu)} \\cdot {sympy.latex(lv)}}} \\approx "
            f"{num(float(cos), 3)}",
            region="bottom_right",
        ),
    ).beat(
        f"So the angle between the arrows is about {num(angle, 1)} degrees"
        + ("; a dot product of 0 means they are perpendicular." if dot == 0 else "."),
        Remove(targets=["unknown"]),
        ShowAngle(
            id="between",
            vertex=(0.0, 0.0),
            a=(float(u[0]), float(u[1])),
            b=(float(v[0]), float(v[1])),
            label=deg(angle),
            right=dot == 0,
        ),
        # The angle is also written out beside its cosine: at the vertex its label can sit close to the arrows'.
        TransformEquation(
            target="cos",
            latex=f"\\cos\\theta \\approx {num(float(cos), 3)}, \\quad \\theta \\approx {deg(angle)}",
            highlight=[deg(angle)],
        ),
    )
    return [draft.build()]


class ComplexParams(Params):
    op: Literal["point", "add", "multiply", "conjugate", "polar", "powers"] = "multiply"
    a: int = Field(default=3, ge=-5, le=5)
    b: int = Field(default=1, ge=-5, le=5)
    c: int = Field(default=1, ge=-5, le=5)
    d: int = Field(default=1, ge=-5, le=5)


def _z(z: sympy.Expr) -> str:
    """A Gaussian integer as LaTeX: 3 + 2i, -1 - i, 4, 2i."""
    re, im = int(sympy.re(z)), int(sympy.im(z))
    if im == 0:
        return str(re)
    imag = "i" if abs(im) == 1 else f"{abs(im)}i"
    if re == 0:
        return imag if im > 0 else f"-{imag}"
    return f"{re} {'+' if im > 0 else '-'} {imag}"


def _said(z: sympy.Expr) -> str:
    """A Gaussian integer as the narration says it: "3 plus 2 i", "minus 1 minus i", "2 i"."""
    re, im = int(sympy.re(z)), int(sympy.im(z))
    real = f"minus {-re}" if re < 0 else str(re)
    imag = "i" if abs(im) == 1 else f"{abs(im)} i"
    if im == 0:
        return real
    if re == 0:
        return imag if im > 0 else f"minus {imag}"
    return f"{real} {'plus' if im > 0 else 'minus'} {imag}"


def _xy(z: sympy.Expr) -> tuple[float, float]:
    return (float(sympy.re(z)), float(sympy.im(z)))


@demonstration("complex_plane_arithmetic", ComplexParams)
def complex_plane_arithmetic(params: ComplexParams, facts: ContextFacts) -> list[Scene]:
    """Complex numbers as points of the plane: a + b i at (a, b); sums as arrows tip to tail; products multiply
    lengths and add angles; the conjugate is a mirror image; polar form; powers that spiral round."""
    # The working goes in the top band (at full size: it is long) and the bottom-right quarter, so the plane (often
    # taller than wide: a product climbs) reaches down to the bottom edge instead of sitting in the band between a
    # formula above and one below.
    found = given_ints(facts, "ab", -5, 5) or context_ints(facts, 2, -5, 5)
    a, b = found if found and found != [0, 0] else (params.a, params.b)
    if (a, b) == (0, 0):
        raise ValueError("z must not be 0")
    i = sympy.I
    z = a + b * i
    w = params.c + params.d * i
    op = params.op
    draft = SceneDraft("complex", "explanation", "The complex plane")
    if op in ("point", "polar", "conjugate"):
        r = _length((a, b))
        theta = math.degrees(math.atan2(b, a))
        draft.beat(
            f"The complex number {_said(z)} sits at the point {a}, {b}: real part across, imaginary part up.",
            *_plane([_xy(z), _xy(sympy.conjugate(z))], "\\mathrm{Re}", "\\mathrm{Im}"),
            ShowPoint(id="z", at=_xy(z), label=_z(z), color="yellow"),
            ShowSegment(id="re", start=(0.0, 0.0), end=(float(a), 0.0), label=str(a), dashed=True, color="blue"),
            ShowSegment(id="im", start=(float(a), 0.0), end=_xy(z), label=f"{b}i", dashed=True, color="green"),
        )
        if op == "point":
            draft.beat(
                "The imaginary unit i is one step up, at the point 0, 1, and i squared is minus 1.",
                ShowPoint(id="i", at=(0.0, 1.0), label="i", color="red"),
                ShowEquation(id="unit", latex="i^2 = -1", region="top"),
            ).beat(
                f"So {_said(z)} is the arrow {a} across and {b} up, a point of the plane rather than of a line.",
                _arrow("arrow", _xy(z), "", "yellow"),
                Circumscribe(target="z"),
            )
            return [draft.build()]
        if op == "conjugate":
            zb = sympy.conjugate(z)
            product = sympy.expand(z * zb)
            check(product == a * a + b * b, "z times its conjugate")
            draft.beat(
                f"Its conjugate {_said(zb)} flips the sign of the imaginary part: the mirror image in the real axis.",
                ShowPoint(id="zb", at=_xy(zb), label=_z(zb), color="green"),
                ShowSegment(id="mirror", start=_xy(z), end=_xy(zb), dashed=True, color="grey"),
            ).beat(
                f"Both arrows have the same length, and multiplied together they give a real number, that length "
                f"squared: {a} squared plus {b} squared, which is {product}.",
                ShowEquation(id="calc", latex=f"({_z(z)})({_z(zb)}) = {a}^2 + {b}^2 = {product}", region="top"),
                _arrow("z_arrow", _xy(z), "", "yellow"),
                _arrow("zb_arrow", _xy(zb), "", "green"),
            )
            return [draft.build()]
        r_latex, r_said = _len_text(r)
        check(abs(float(r) * math.cos(math.radians(theta)) - a) < 1e-9, "polar form")
        draft.beat(
            f"Its distance from 0 is the modulus: the square root of {a} squared plus {b} squared, {r_said}.",
            _arrow("arrow", _xy(z), "r", "yellow"),
            ShowEquation(id="mod", latex=f"r = |z| = \\sqrt{{{a}^2 + {b}^2}} = {r_latex}", region="top"),
        ).beat(
            f"Its angle from the positive real axis is the argument: about {num(theta, 1)} degrees.",
            ShowAngle(id="arg", vertex=(0.0, 0.0), a=(1.0, 0.0), b=_xy(z), label=deg(theta)),
        ).beat(
            "So z is r times the cosine of the angle plus i times its sine: polar form.",
            ShowEquation(
                id="polar",
                latex=f"z = {num(float(r))}(\\cos {deg(theta)} + i \\sin {deg(theta)})",
                region="bottom_right",
            ),
        )
        return [draft.build()]
    if op == "add":
        s = sympy.expand(z + w)
        draft.beat(
            f"Add z equals {_said(z)} and w equals {_said(w)}.",
            *_plane([_xy(z), _xy(w), _xy(s)], "\\mathrm{Re}", "\\mathrm{Im}"),
            _arrow("z", _xy(z), _z(z), "yellow"),
            _arrow("w", _xy(w), _z(w), "blue"),
        ).beat(
            "As arrows, put w at the tip of z.",
            _arrow("w_moved", _xy(w), "", "blue", start=_xy(z)),
        ).beat(
            f"Real parts add and imaginary parts add: the sum is {_said(s)}.",
            _arrow("sum", _xy(s), _z(s), "red"),
            ShowEquation(id="calc", latex=f"({_z(z)}) + ({_z(w)}) = {_z(s)}", region="top"),
        )
        return [draft.build()]
    if op == "powers":
        powers = [sympy.expand(z**n) for n in (1, 2, 3)]
        r = _length((a, b))
        theta = math.degrees(math.atan2(b, a))
        check(all(abs(complex(p) - complex(z) ** n) < 1e-9 for n, p in zip((1, 2, 3), powers, strict=True)), "powers")
        draft.beat(
            f"Take z equals {_said(z)}, at an angle of about {num(theta, 1)} degrees.",
            *_plane([_xy(p) for p in powers], "\\mathrm{Re}", "\\mathrm{Im}"),
            _arrow("z1", _xy(powers[0]), _z(powers[0]), "yellow"),
            ShowAngle(id="arg", vertex=(0.0, 0.0), a=(1.0, 0.0), b=_xy(z), label=deg(theta)),
        ).beat(
            f"Squaring doubles the angle and squares the length: z squared is {_said(powers[1])}.",
            _arrow("z2", _xy(powers[1]), _z(powers[1]), "green"),
            ShowEquation(id="calc", latex=f"z^2 = {_z(powers[1])}", region="top"),
        ).beat(
            f"Cubing triples the angle: z cubed is {_said(powers[2])}. This is De Moivre's theorem.",
            _arrow("z3", _xy(powers[2]), _z(powers[2]), "red"),
            ShowEquation(id="rule", latex="z^n = r^n(\\cos n\\theta + i \\sin n\\theta)", region="bottom_right"),
        )
        check(
            abs(float(r) ** 2 - float(_length((int(sympy.re(powers[1])), int(sympy.im(powers[1])))))) < 1e-9,
            "modulus squares",
        )
        return [draft.build()]
    p = sympy.expand(z * w)
    lz, lw, lp = _length((a, b)), _length((params.c, params.d)), _length((int(sympy.re(p)), int(sympy.im(p))))
    check(sympy.simplify(lz * lw - lp) == 0, "moduli multiply")
    tz, tw = math.degrees(math.atan2(b, a)), math.degrees(math.atan2(params.d, params.c))
    ac, bd, ad, bc = a * params.c, b * params.d, a * params.d, b * params.c
    draft.beat(
        f"Multiply z equals {_said(z)} by w equals {_said(w)}.",
        *_plane([_xy(z), _xy(w), _xy(p)], "\\mathrm{Re}", "\\mathrm{Im}"),
        _arrow("z", _xy(z), _z(z), "yellow"),
        _arrow("w", _xy(w), _z(w), "blue"),
    ).beat(
        f"Expand as with brackets, using i squared equals minus one: the real part is {ac} minus {bd}, the imaginary "
        f"part {ad} plus {bc}.",
        ShowEquation(id="calc", latex=f"({_z(z)})({_z(w)}) = ({ac} - {bd}) + ({ad} + {bc})i = {_z(p)}", region="top"),
        ShowAngle(id="angle_w", vertex=(0.0, 0.0), a=(1.0, 0.0), b=_xy(w), label=deg(tw)),
    ).beat(
        f"The product {_said(p)} points at the sum of the two angles: turn by the angle of z, {num(tz, 1)} degrees, "
        f"then on by the angle of w, {num(tw, 1)}.",
        Remove(targets=["angle_w"]),
        _arrow("zw", _xy(p), _z(p), "red"),
        ShowAngle(id="angle_z", vertex=(0.0, 0.0), a=(1.0, 0.0), b=_xy(z), label=deg(tz)),
        ShowAngle(id="angle_p", vertex=(0.0, 0.0), a=_xy(z), b=_xy(p), label=deg(tw)),
    ).beat(
        "And its length is the product of the two lengths: multiplying turns and stretches.",
        ShowEquation(
            id="lengths",
            latex=f"|zw| = {sympy.latex(lz)} \\cdot {sympy.latex(lw)} = {sympy.latex(lp)}",
            region="bottom_right",
        ),
    )
    return [draft.build()]
