"""Template validation (every error with its line, all at once), rendering and the shipped templates."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

from collabsync.errors import TemplateError
from collabsync.templating.template import find_template, list_templates, load_template, parse_template, template_schema

GOOD = textwrap.dedent("""\
    template: mini
    title: "{{ product }} launch"
    description: "Launch of {{ product }}"
    variables:
      product: {type: string, description: Product}
      launch: {type: date, description: Launch day}
      owner: {type: string, default: Dana}
    calendar: {country: US}
    departments: [sales, engineering]
    sections:
      - {key: plan, title: Plan}
    tasks:
      - key: spec
        title: "Spec {{ product }}"
        department: engineering
        section: plan
        start: launch - 10bd
        due: launch - 5bd
        estimate: 3
        assignee: "{{ owner }}"
        checklist: ["Draft", "Review with {{ owner }}"]
      - key: pitch
        title: "Pitch {{ product }}"
        department: sales
        due: launch
        depends_on: [spec]
        labels: [enablement]
        notes: "Use the {{ product }} deck"
    """)


def problems_of(text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(TemplateError) as err:
        parse_template(text, "t.yaml")
    return [(p.line, p.message) for p in err.value.problems]


def test_good_template_renders_dates_text_and_checklist() -> None:
    spec = parse_template(GOOD, "t.yaml").render("nova", {"product": "Nova", "launch": "2027-03-01"})
    assert spec.title == "Nova launch"
    spec_task = spec.task("spec")
    # 2027-03-01 is a Monday; 5 business days back is Monday 02-22, 10 back is Monday 02-15
    # (Presidents' Day 2027-02-15 is a US holiday, so 10bd back lands on Friday 02-12).
    assert spec_task.due == dt.date(2027, 2, 22)
    assert spec_task.start == dt.date(2027, 2, 12)
    assert spec_task.assignee == "Dana"
    assert spec_task.checklist == ("Draft", "Review with Dana")
    assert spec.task("pitch").notes == "Use the Nova deck"
    assert spec.task("pitch").depends_on == ("spec",)
    assert spec.variables == {"product": "Nova", "launch": "2027-03-01", "owner": "Dana"}


def test_every_problem_is_reported_at_once_with_its_line() -> None:
    text = textwrap.dedent("""\
        template: broken
        title: "{{ product }} for {{ customer }}"
        variables:
          product: {type: string}
          unused: {type: string}
          launch: {type: date}
        departments: [sales, sales, finance]
        sections:
          - {key: plan, title: Plan}
        tasks:
          - key: a
            title: A
            department: marketing
            section: build
            due: launch - 3 months
            depends_on: [c]
          - key: b
            title: B
            department: finance
            start: product + 2d
            depends_on: [b, nope]
          - key: c
            title: C
            department: sales
            depends_on: [a]
            start: launch + 5d
            due: launch
          - key: a
            title: A again
            department: sales
            colour: red
        """)
    found = problems_of(text)
    messages = "\n".join(f"{line}: {msg}" for line, msg in found)
    expected = [
        (2, "variable 'customer' is used but not declared"),
        (5, "variable 'unused' is declared but never used"),
        (7, "duplicate department 'sales'"),
        (13, "unknown department 'marketing'"),
        (14, "unknown section 'build'"),
        (15, "bad date expression 'launch - 3 months'"),
        (20, "date anchor 'product' is not of type date"),
        (21, "task 'b' depends on itself"),
        (21, "unknown dependency 'nope'"),
        (26, "start is after due"),
        (28, "duplicate task key 'a'"),
        (28, "Additional properties are not allowed ('colour' was unexpected)"),
    ]
    for line, fragment in expected:
        assert any(at == line and fragment in m for at, m in found), f"missing line {line}: {fragment}\n{messages}"
    cycle = [m for _, m in found if m.startswith("dependency cycle")]
    assert cycle and "a -> c -> a" in cycle[0]


def test_yaml_syntax_error_names_the_line() -> None:
    found = problems_of("template: x\ntitle: [unclosed\ndepartments: [a]\n")
    assert len(found) == 1 and found[0][0] in (2, 3) and "YAML syntax error" in found[0][1]


def test_duplicate_yaml_keys_are_caught() -> None:
    found = problems_of(GOOD.replace("    estimate: 3\n", "    estimate: 3\n    estimate: 4\n"))
    assert any("duplicate key 'estimate'" in m for _, m in found)


def test_missing_required_key_says_add_it() -> None:
    found = problems_of("template: x\ntitle: X\ntasks: [{key: a, title: A, department: d}]\n")
    assert any("'departments' is a required property; add it" in m for _, m in found)


def test_bad_calendar_country() -> None:
    found = problems_of(GOOD.replace("country: US", "country: ZZ"))
    assert any("unknown calendar country 'ZZ'" in m for _, m in found)


def test_anchor_must_be_declared() -> None:
    found = problems_of(GOOD.replace("due: launch\n", "due: golive + 2d\n"))
    assert any("date anchor 'golive' is not a declared variable" in m for _, m in found)


def test_render_rejects_missing_unknown_and_mistyped_values() -> None:
    tmpl = parse_template(GOOD, "t.yaml")
    with pytest.raises(TemplateError) as err:
        tmpl.render("x", {"launch": "March 1st", "prodcut": "Nova"})
    text = str(err.value)
    assert "variable 'product' is declared but not given: pass --var product=..." in text
    assert "variable 'launch' must be a date (YYYY-MM-DD), got 'March 1st'" in text
    assert "variable 'prodcut' is given but not declared" in text


def test_sandbox_blocks_python_internals() -> None:
    text = GOOD.replace('notes: "Use the {{ product }} deck"', 'notes: "{{ product.__class__.__mro__ }}"')
    tmpl = parse_template(text, "t.yaml")
    with pytest.raises(TemplateError, match="cannot render"):
        tmpl.render("x", {"product": "Nova", "launch": "2027-03-01"})


def test_jinja_syntax_error_is_located() -> None:
    found = problems_of(GOOD.replace('title: "Spec {{ product }}"', 'title: "Spec {{ product "'))
    assert any(line == 14 and "template text syntax error" in m for line, m in found)


def test_schema_file_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(template_schema())


@pytest.mark.parametrize("name", ["product-launch", "customer-onboarding", "collaboration-program"])
def test_shipped_templates_are_valid_and_realistic(name: str) -> None:
    templates = dict(list_templates())
    assert name in templates
    tmpl = load_template(templates[name])
    data = yaml.safe_load(Path(templates[name]).read_text())
    jsonschema.validate(data, template_schema())  # editors validating with the schema agree
    tasks = data["tasks"]
    assert len(tasks) >= 20
    dept = {t["key"]: t["department"] for t in tasks}
    cross = [(t["key"], d) for t in tasks for d in t.get("depends_on", []) if dept[d] != t["department"]]
    assert len(cross) >= 8
    values = {
        v: ("2027-03-01" if decl["type"] == "date" else "Acme")
        for v, decl in tmpl.variables.items()
        if "default" not in decl
    }
    spec = tmpl.render("x", values)
    for t in spec.tasks:
        for dep in t.depends_on:
            assert spec.task(dep).due is None or t.due is None or spec.task(dep).due <= t.due, (t.key, dep)


def test_find_template_errors_list_shipped_names(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="no template named 'nope'; shipped: .*product-launch"):
        find_template("nope")
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD)
    assert find_template(str(path)).name == "mini"


def test_unreadable_file_is_a_template_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="cannot read template"):
        load_template(tmp_path / "missing.yaml")


def test_schema_rejects_bad_variable_type() -> None:
    found = problems_of(GOOD.replace("owner: {type: string, default: Dana}", "owner: {type: person}"))
    assert any(line == 7 and "'person' is not one of" in m for line, m in found)
    assert json.dumps(template_schema())  # shipped schema serialisable for editors
