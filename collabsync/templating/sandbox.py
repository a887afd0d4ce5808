"""Template text is rendered in a jinja2 sandbox with bounds, so no template can hang or exhaust memory.

The sandbox alone keeps templates away from Python; it does not stop `{{ 'x' * 10**9 }}`, nested
loops over `range(100000)` or `{{ 'x' | center(10**9) }}`. These bounds do: sequence operators and
width arguments are capped, `range` shares one iteration budget per render, output is capped while
it streams, and on the main thread a wall-clock alarm ends whatever still runs too long.
"""

from __future__ import annotations

import contextvars
import functools
import re
import signal
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from jinja2 import Template, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

__all__ = [
    "bounded_env",
    "plain_names",
    "render_bounded",
    "render_field",
    "RenderError",
    "RenderLimitError",
    "MAX_OUTPUT",
    "MAX_ITERATIONS",
    "MAX_SECONDS",
]

#: Characters one template field may render to (a Jira description holds 32,767).
MAX_OUTPUT = 100_000
#: Loop steps over `range` in one field.
MAX_ITERATIONS = 10_000
#: Wall-clock seconds one field may take.
MAX_SECONDS = 2.0

_budget: contextvars.ContextVar[list[int]] = contextvars.ContextVar("collabsync_render_budget")


class RenderError(Exception):
    """A template field cannot be rendered; the message says why, fit for a template problem."""


class RenderLimitError(RenderError):
    """A template expression went past a render bound."""


class _BoundedSandbox(SandboxedEnvironment):
    """A SandboxedEnvironment whose arithmetic cannot build huge values."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """Refuse results that would exceed the output bound before computing them."""
        if operator == "*":
            seq, n = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_OUTPUT:
                raise RenderLimitError(f"repeating {len(seq)} items {n} times exceeds {MAX_OUTPUT:,} characters")
        elif operator == "**":
            if isinstance(right, (int, float)) and isinstance(left, (int, float)) and abs(left) > 1 and right > 256:
                raise RenderLimitError(f"power {left}**{right} is too large (exponent at most 256)")
        elif operator == "+":
            if (
                isinstance(left, (str, list, tuple))
                and isinstance(right, (str, list, tuple))
                and len(left) + len(right) > MAX_OUTPUT
            ):
                raise RenderLimitError(f"joined value exceeds {MAX_OUTPUT:,} characters")
        elif operator == "%" and isinstance(left, str):
            args = right if isinstance(right, tuple) else (right,)
            if any(isinstance(a, int) and a > MAX_OUTPUT for a in args):
                raise RenderLimitError(f"a format width above {MAX_OUTPUT:,}")
        return super().call_binop(context, operator, left, right)


def _counted_range(*args: int) -> range:
    """`range` drawing on the render's shared iteration budget."""
    rng = range(*args)
    budget = _budget.get([MAX_ITERATIONS])
    budget[0] -= len(rng)
    if budget[0] < 0:
        raise RenderLimitError(f"loops over range() exceed {MAX_ITERATIONS:,} steps in one field")
    return rng


def _width_capped(name: str, fn: Any) -> Any:
    """Wrap a filter whose int arguments set an output width; it keeps jinja2's pass-environment mark (truncate,
    wordwrap), without which jinja2 would call it without the environment it expects."""
    skip = 1 if getattr(fn, "jinja_pass_arg", None) is None else 2  # the value (after the environment) is no width

    @functools.wraps(fn)
    def capped(*args: Any, **kwargs: Any) -> Any:
        if any(
            isinstance(a, int) and not isinstance(a, bool) and a > MAX_OUTPUT for a in (*args[skip:], *kwargs.values())
        ):
            raise RenderLimitError(f"filter {name}: a width above {MAX_OUTPUT:,}")
        return fn(*args, **kwargs)

    return capped


def bounded_env(**options: Any) -> SandboxedEnvironment:
    """The sandbox every template field is rendered in."""
    env = _BoundedSandbox(**options)
    env.globals["range"] = _counted_range
    for name in ("center", "indent", "wordwrap", "truncate", "format"):
        if name in env.filters:
            env.filters[name] = _width_capped(name, env.filters[name])
    return env


_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_JINJA_CONSTANTS = frozenset({"true", "false", "none", "True", "False", "None"})


def plain_names(source: str) -> list[str] | None:
    """The variables of a text whose only jinja2 syntax is `{{ name }}`; None when it needs jinja2."""
    if "\r" in source or "{" in _PLACEHOLDER.sub("", source):
        return None
    names = _PLACEHOLDER.findall(source)
    return None if _JINJA_CONSTANTS.intersection(names) else names


def render_field(env: SandboxedEnvironment, source: str, context: Mapping[str, Any]) -> str:
    """One template field rendered within the bounds; every way it can fail becomes a RenderError."""
    names = [] if "{" not in source and "\r" not in source else plain_names(source)  # most text has no syntax
    if names is not None and all(n in context for n in names):  # substitute as jinja2 would, without compiling
        text = _PLACEHOLDER.sub(lambda m: str(context[m.group(1)]), source)
        if len(text) > MAX_OUTPUT:
            raise RenderLimitError(f"output exceeds {MAX_OUTPUT:,} characters")
        return text[:-1] if text.endswith("\n") else text  # as keep_trailing_newline=False
    compiled: dict[str, Template] = env.__dict__.setdefault("_compiled_fields", {})
    try:
        if (template := compiled.get(source)) is None:
            template = compiled[source] = env.from_string(source)  # a field repeated in many tasks compiles once
        return render_bounded(template, context)
    except RenderError:
        raise
    except (UndefinedError, SecurityError, TemplateSyntaxError) as exc:
        raise RenderError(str(exc)) from None
    except (ArithmeticError, TypeError, ValueError, LookupError, RecursionError, MemoryError) as exc:
        raise RenderError(f"{type(exc).__name__}: {exc}; fix the expression") from None


def render_bounded(template: Template, context: Mapping[str, Any]) -> str:
    """Render, stopping at MAX_OUTPUT characters, MAX_ITERATIONS range steps or MAX_SECONDS."""
    token = _budget.set([MAX_ITERATIONS])
    out: list[str] = []
    size = 0
    try:
        with _deadline(MAX_SECONDS):
            for chunk in template.generate(context):
                size += len(chunk)
                if size > MAX_OUTPUT:
                    raise RenderLimitError(f"output exceeds {MAX_OUTPUT:,} characters")
                out.append(chunk)
    finally:
        _budget.reset(token)
    return "".join(out)


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise RenderLimitError after `seconds` (main thread only: signals cannot reach other threads)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise RenderLimitError(f"rendering took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
