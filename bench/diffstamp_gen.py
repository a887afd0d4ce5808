"""Templates for bench/diffstamp.py: valid ones of every feature, the same in YAML the event fast path hands to the
reference loader, invalid ones with one mistake each, and bad --var values. Every choice comes from one seeded
`random.Random`, so a seed names its five templates.
"""

from __future__ import annotations

import json
import random
import re

DEPARTMENTS = ("sales", "marketing", "engineering", "finance", "it", "hr", "support")
CALENDARS = (
    "",
    "calendar: {country: US}",
    "calendar: {country: DE}",
    "calendar: {country: US, subdivision: CA}",
    "calendar: {country: DE, subdivision: BY}",
)
REPEATS = ("weekly", "monthly", "every 5 business days", "every 2 weeks", "every 3 months", "every 1 business days")
TEXTS = (
    "Plan {{ product }}",
    "{{ product | upper }} review for {{ seats }} seats",
    "{% if seats > 100 %}Large{% else %}Small{% endif %} rollout of {{ product }}",
    "{{ product }} — ünïcødé étape 🚀",
    "Budget {{ '%.2f' | format(budget) }} for {{ product | title }}",
    "{{ owner }} signs off {{ product }}",
    "Kick-off on {{ launch }}",
    "Plain text, no fields",
    "{{product}} and {{  owner  }} together",
    "{# a comment #}Comment then {{ product }}",
    "{{ product | replace('a', 'A') | lower }} tail",
    "Trailing spaces   ",
)


def valid_template(rng: random.Random, name: str, n: int) -> tuple[list[str], list[str], list[str]]:
    """A valid template's lines, its departments and the --var/--role options a stamp needs."""
    departments = rng.sample(DEPARTMENTS, rng.randint(1, 5))
    two = rng.random() < 0.5
    lines = [f"template: {name}", 'title: "{{ product }} stamp"', "description: |", "  Two lines of", "  {{ owner }}"]
    lines += ["variables:", "  product: {type: string, description: Product}", "  launch: {type: date}"]
    lines += ["  kickoff: {type: date, description: Kickoff}"] if two else []
    lines += ["  owner: {type: string, default: 'Head of Ops'}", "  seats: {type: integer, default: 100}"]
    lines += ["  budget: {type: number, default: 2.5}"]
    roles = rng.random() < 0.5
    if roles:
        lines += ["roles:", f"  lead: {{description: Leads, department: {departments[0]}}}"]
        lines += ["  helper: {description: Helps, required: false}"]
    lines += [c for c in [rng.choice(CALENDARS)] if c]
    lines.append(f"departments: [{', '.join(departments)}]")
    sections = rng.random() < 0.6
    if sections:
        lines += ["sections:", "  - {key: plan, title: Plan}", "  - {key: run, title: 'Run {{ product }}'}"]
    lines.append("tasks:")
    keys: list[str] = []
    series_used = False
    for i in range(n):
        key = f"t{i}" if rng.random() < 0.8 else f"task-{i}_x"
        keys.append(key)
        dept = rng.choice(departments)
        lines += [f"  - key: {key}", f'    title: "{rng.choice(TEXTS)} {i}"', f"    department: {dept}"]
        if sections and rng.random() < 0.7:
            lines.append(f"    section: {rng.choice(('plan', 'run'))}")
        anchor = "kickoff" if two and rng.random() < 0.4 else "launch"
        unit = rng.choice(("bd", "d", "w", "bd"))
        off = rng.randint(-40, 40)
        sign = "+" if off >= 0 else "-"
        form = rng.random()
        if form < 0.15:
            pass
        elif form < 0.25:
            lines.append(f"    due: {anchor} {sign} {abs(off)}{unit}")
        elif form < 0.3:
            lines.append(f"    start: {anchor}")
        else:
            lines.append(f"    start: {anchor} {sign} {abs(off)}{unit}")
            lines.append(f"    due: {anchor} {sign} {abs(off) + (rng.randint(0, 5) if off >= 0 else 0)}{unit}")
        if rng.random() < 0.5:
            lines.append(f"    estimate: {rng.choice((1, 3, 0, 0.5, 2.75))}")
        deps = sorted({rng.randrange(i) for _ in range(rng.randint(0, 2))}) if i else []
        if deps:
            lines.append(f"    depends_on: [{', '.join(keys[d] for d in deps)}]")
        if roles and rng.random() < 0.4:
            lines.append(f"    role: {rng.choice(('lead', 'helper'))}")
        elif rng.random() < 0.2:
            lines.append("    assignee: " + rng.choice(('"{{ owner }}"', "ana@x.example")))
        if rng.random() < 0.3:
            lines.append(f"    notes: {json.dumps(rng.choice(TEXTS), ensure_ascii=False)}")
        if rng.random() < 0.2:
            lines.append("    checklist: [Draft, 'Review {{ product }}', Sign]")
        if rng.random() < 0.2:
            lines.append("    labels: [urgent, q4]")
        if rng.random() < 0.08:
            lines.append("    milestone: true")
        elif not series_used and form >= 0.3 and rng.random() < 0.15:
            series_used = True
            lines.append(f"    repeat: {rng.choice(REPEATS)}")
            lines.append(f"    count: {rng.randint(1, 6)}" if rng.random() < 0.6 else f"    until: {anchor} + 60d")
    options = ["--var", "product=Nova", "--var", f"launch=2027-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"]
    options += ["--var", f"kickoff=2027-0{rng.randint(1, 9)}-15"] if two else []
    if rng.random() < 0.5:
        options += ["--var", f"seats={rng.choice((5, 250))}", "--var", "owner=Dana Ops", "--var", "budget=1234.5"]
    if roles:
        options += ["--role", "lead=lead@x.example"] + (["--role", "helper=h@x.example"] if rng.random() < 0.5 else [])
    return lines, departments, options


def _odd(rng: random.Random, lines: list[str]) -> tuple[str, list[str]]:
    """The same template in YAML the event fast path does not take (or takes at its edges)."""
    kind = rng.choice(
        ("anchors", "merge", "tags", "flow", "folded", "quoted", "comments", "unicode", "long", "tabvalue", "dupkey")
    )
    out = list(lines)
    first = next(i for i, line in enumerate(out) if line.startswith("  - key:"))
    if kind == "anchors":
        out[first] = out[first].replace("- key:", "- &first\n    key:", 1)
        labelled = [i for i, line in enumerate(out) if line.endswith("labels: [urgent, q4]")]
        for k, i in enumerate(labelled):  # the first defines the anchor, the others are aliases
            out[i] = out[i].replace("[urgent, q4]", "*lab" if k else "&lab [urgent, q4]")
        out = [out[0], "version: &v 3", *out[1:]]
    elif kind == "merge":
        out.insert(first + 1, "    <<: {estimate: 9, labels: [merged]}")
    elif kind == "tags":
        out = [re.sub(r"estimate: (\S+)", r"estimate: !!float \1", line) for line in out]
        out = [line.replace('title: "', 'title: !!str "', 1) for line in out]
    elif kind == "flow":
        out = [line.replace("- {key: plan, title: Plan}", '- {"key": plan, title: "Plan"}') for line in out]
        dept = next(line for line in out if line.startswith("departments: [")).split("[")[1].split(",")[0].rstrip("]")
        out += [
            "  - {key: zz-flow, title: 'Flow task', department: "
            + dept
            + ", depends_on: ["
            + out[first].split()[-1]
            + "]}"
        ]
    elif kind == "folded":
        out[first + 1] = "    title: >-\n      Folded title\n      over two lines {{ product }}"
    elif kind == "quoted":
        out = [re.sub(r"^(\s+-? ?)(key|title|department): ", r'\1"\2": ', line) for line in out]
    elif kind == "comments":
        out = ["# a header comment", *[line + ("  # trailing" if "{" not in line else "") for line in out]]
    elif kind == "unicode":
        out[first + 1] = '    title: "Übergabe → 日本語 ✓ {{ product }}"'
    elif kind == "long":
        out[first + 1] = '    title: "' + "long " * 2000 + '{{ product }}"'
    elif kind == "tabvalue":
        out[first + 1] = '    title: "tab\there {{ product }}"'
    else:
        out.insert(first + 2, "    title: A second title")
    return kind, out


INVALID = (
    "missing-title",
    "missing-task-key",
    "bad-date",
    "unknown-var",
    "cycle",
    "dup-task-key",
    "estimate-type",
    "departments-type",
    "var-type",
    "syntax",
    "unknown-dept",
    "unknown-dep",
    "start-after-due",
    "bad-repeat",
    "tab-indent",
    "bad-anchor",
    "unclosed-jinja",
)


def _invalid(rng: random.Random, lines: list[str]) -> tuple[str, list[str]]:
    """One mistake put into a valid template."""
    kind = rng.choice(INVALID)
    out = list(lines)
    tasks = [i for i, line in enumerate(out) if line.startswith("  - key:")]
    t = rng.choice(tasks)
    if kind == "missing-title":
        out = [line for line in out if not line.startswith("title:")]
    elif kind == "missing-task-key":
        out[t] = "  - " + out[t + 1].strip()
        del out[t + 1]
    elif kind == "bad-date":
        out.insert(t + 1, f"    due: launch {rng.choice(('- 3x', '+ 2 bd', 'plus 4d', '+ -2d', '- 99999999w'))}")
        out = _dedupe_field(out, t, "due")
    elif kind == "unknown-var":
        out[t + 1] = '    title: "Uses {{ nope }} here"'
    elif kind == "cycle" and len(tasks) > 1:
        a, b = tasks[0], tasks[-1]
        out.insert(a + 1, f"    depends_on: [{out[b].split()[-1]}]")
        out = _dedupe_field(out, a, "depends_on")
        b = [i for i, line in enumerate(out) if line.startswith("  - key:")][-1]
        out.insert(b + 1, f"    depends_on: [{out[a].split()[-1]}]")
        out = _dedupe_field(out, b, "depends_on")
    elif kind == "dup-task-key" and len(tasks) > 1:
        out[tasks[-1]] = out[tasks[0]]
    elif kind == "estimate-type":
        out.insert(t + 1, "    estimate: lots")
        out = _dedupe_field(out, t, "estimate")
    elif kind == "departments-type":
        out = [("departments: sales" if line.startswith("departments:") else line) for line in out]
    elif kind == "var-type":
        out = [line.replace("{type: integer,", "{type: choices,") for line in out]
    elif kind == "syntax":
        at = rng.randrange(1, len(out))
        out.insert(at, rng.choice(("  bad: [unclosed", "key: : value", "  - {a: b", '  title: "open', "\t- x")))
    elif kind == "unknown-dept":
        out[t + 2] = "    department: legal"
    elif kind == "unknown-dep":
        out.insert(t + 1, "    depends_on: [ghost]")
        out = _dedupe_field(out, t, "depends_on")
    elif kind == "start-after-due":
        out.insert(t + 1, "    start: launch + 10bd")
        out.insert(t + 2, "    due: launch + 2bd")
        out = _dedupe_field(_dedupe_field(out, t, "start"), t, "due")
    elif kind == "bad-repeat":
        out.insert(t + 1, "    repeat: every fortnight")
        out.insert(t + 2, "    count: 3")
    elif kind == "tab-indent":
        out[t + 1] = "\t" + out[t + 1].lstrip()
    elif kind == "bad-anchor":
        out.insert(t + 1, "    due: product + 2d")
        out = _dedupe_field(out, t, "due")
    else:
        out[t + 1] = '    title: "Broken {{ product "'
    return kind, out


def _dedupe_field(lines: list[str], task: int, field: str) -> list[str]:
    """Keep only the first `field:` line of the task starting at `task` (the inserted one)."""
    out, seen = lines[: task + 1], False
    for j, line in enumerate(lines[task + 1 :], task + 1):
        if line.startswith("  - "):
            return out + lines[j:]
        if line.startswith(f"    {field}:"):
            if seen:
                continue
            seen = True
        out.append(line)
    return out


def cases(seed: int, n: int) -> list[tuple[str, bytes, list[str]]]:
    """The seed's templates: (label, file bytes, stamp options)."""
    rng = random.Random(seed)
    out = []
    name = f"ds{seed}"
    lines, _, options = valid_template(rng, name, n)
    out.append((f"{name}-valid", ("\n".join(lines) + "\n").encode(), options))
    kind, odd = _odd(rng, lines)
    text = "\n".join(odd) + "\n"
    enc = rng.choice(("plain", "bom", "crlf", "bom+crlf"))
    data = text.replace("\n", "\r\n") if "crlf" in enc else text
    out.append((f"{name}-odd-{kind}-{enc}", ("\ufeff" if "bom" in enc else "").encode() + data.encode(), options))
    for k in range(2):
        kind, bad = _invalid(rng, lines)
        out.append((f"{name}-bad{k}-{kind}", ("\n".join(bad) + "\n").encode(), options))
    opts = list(options)
    i = opts.index("--var") + 3  # launch's value
    opts[i] = rng.choice(("launch=2027-02-30", "launch=next week", "launch=", "seats=many"))
    if opts[i].startswith("seats"):
        opts[i] = "launch=2027-05-05"
        opts += ["--var", "seats=many"]  # last: a later --var of the same name wins
    out.append((f"{name}-badvar", ("\n".join(lines) + "\n").encode(), opts))
    return out
