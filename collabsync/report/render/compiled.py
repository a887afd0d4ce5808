"""Templates compiled ahead of time: a report process need not lex, parse and generate its template (0.06 s each).

The Python source that jinja2 makes of a template ships beside the renderer (`html.compiled` for the HTML
report), headed by what it was made from: a digest of the template text with the environment's settings, and
jinja2's version. A process that finds both the same compiles that source (0.01 s) instead of the template; any
other (an edited template, another jinja2, a missing or damaged file) compiles the template as before. Nothing is
written at run time: `python -m collabsync.report.render.compiled` makes the files again after a template changes
(tests/test_render_compiled.py fails until then). Filters are known by name, so a template folding a constant
through a filter whose code changed would need the file made again too (the HTML report's template folds none).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2

__all__ = ["template", "source_digest", "write"]

_HEAD = "# collabsync compiled template {digest} jinja2 {version}\n"


def source_digest(env: jinja2.Environment, source: str) -> str:
    """What a compiled template depends on besides jinja2: the text, and every setting that changes the code made."""
    settings = (
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.autoescape if isinstance(env.autoescape, bool) else id(env.autoescape),  # a function: never the same
        env.finalize is not None,
        getattr(env.finalize, "jinja_pass_arg", None),
        env.optimized,
        env.is_async,
        env.sandboxed,
        type(env).__qualname__,
        env.code_generator_class.__qualname__,
        sorted(env.extensions),
        sorted((name, getattr(f, "__module__", ""), getattr(f, "__qualname__", "")) for name, f in env.filters.items()),
        sorted(env.tests),
    )
    return hashlib.sha256(repr((settings, source)).encode("utf-8")).hexdigest()


def _head(env: jinja2.Environment, source: str) -> str:
    return _HEAD.format(digest=source_digest(env, source), version=jinja2.__version__)


def template(env: jinja2.Environment, source: str, compiled: Path) -> jinja2.Template:
    """The template of `source`, from its compiled file when that was made from the same text, settings and jinja2."""
    try:
        text = compiled.read_text(encoding="utf-8")
        if text.startswith(_head(env, source)):
            code = compile(text, "<template>", "exec")
            return env.template_class.from_code(env, code, env.make_globals(None), None)
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        pass  # compiled as before
    return env.from_string(source)


def write(env: jinja2.Environment, source: str, compiled: Path) -> None:
    """Make a template's compiled file (at development time, after the template changed)."""
    compiled.write_text(_head(env, source) + env.compile(source, raw=True), encoding="utf-8")


def main() -> None:
    """Write the compiled file of every template that ships one."""
    from collabsync.report.render import html

    write(html.environment(), html.TEMPLATE_SOURCE, html.COMPILED)
    print(f"wrote {html.COMPILED}")


if __name__ == "__main__":
    main()
