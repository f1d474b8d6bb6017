"""Small helpers shared by the Prometheus tests: the metric names we export (from the golden exposition,
which a unit test keeps equal to the metric table), and the metric names a PromQL expression mentions, and
the PromQL expressions in a Grafana dashboard. Stdlib only; not a PromQL parser, just a careful lexer."""
import json
import os
import re

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
GOLDEN_METRICS = os.path.join(REPO_ROOT, "tests", "golden", "metrics.prom")

# Words that are PromQL syntax, not metric names (functions are recognised by the "(" after them).
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
            "offset", "inf", "nan", "atan2"}
# Clauses whose parenthesised list holds label names.
LABEL_LIST_CLAUSES = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")
STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
GRAFANA_VARIABLE = re.compile(r"\$\{?(\w+)(?::\w+)?\}?|\[\[(\w+)\]\]")
IDENTIFIER = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
NUMBER_OR_DURATION = re.compile(r"\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?:ms|[smhdwy])?\b")


def exported_metric_names():
    """`# TYPE <name>` of every family in tests/golden/metrics.prom (the golden snapshot renders every row
    of src/exporters/metric_table.cpp; prometheus_exporter_test checks that it does)."""
    names = set()
    with open(GOLDEN_METRICS, encoding="utf-8") as f:
        for line in f:
            if line.startswith("# TYPE "):
                names.add(line.split()[2])
    if not names:
        raise AssertionError(f"no '# TYPE' lines in {GOLDEN_METRICS}")
    return names


def substitute_grafana_variables(expr, rate_interval="1m"):
    """Grafana's $var / ${var} / [[var]]: intervals become a duration, anything else a regex matching all."""
    def replace(match):
        name = match.group(1) or match.group(2)
        return rate_interval if name in ("__rate_interval", "__interval", "__range") else ".+"
    return GRAFANA_VARIABLE.sub(replace, expr)


def metric_names_in(expr):
    """The metric names a PromQL expression selects (bare `name` or `name{...}` selectors; `{__name__=...}`
    selectors are reported as the literal "__name__" so a caller notices them)."""
    text = STRING.sub('""', substitute_grafana_variables(expr))
    if "__name__" in text:
        return {"__name__"}
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # range and subquery durations
    text = LABEL_LIST_CLAUSES.sub(" ", text)  # by (labels), on (labels), ...: "sum by (x) (" is a call
    text = NUMBER_OR_DURATION.sub(" ", text)
    names = set()
    for match in IDENTIFIER.finditer(text):
        word = match.group(0)
        rest = text[match.end():].lstrip()
        if word.lower() in KEYWORDS or rest.startswith("("):
            continue  # syntax, or a function / aggregation call
        names.add(word)
    return names


def label_values_metric(query):
    """Grafana's templating query `label_values(<selector>, <label>)` -> the selector ('' if none)."""
    match = re.fullmatch(r"\s*label_values\s*\((.*),\s*\w+\s*\)\s*", query)
    if match:
        return match.group(1)
    match = re.fullmatch(r"\s*label_values\s*\(\s*\w+\s*\)\s*", query)
    if match:
        return ""
    return query


def dashboard_expressions(path):
    """(where, PromQL) for every panel target and every query variable of a Grafana dashboard JSON."""
    with open(path, encoding="utf-8") as f:
        dashboard = json.load(f)
    found = []

    def walk_panels(panels):
        for panel in panels:
            for target in panel.get("targets", []):
                if "expr" in target:
                    found.append((f"panel {panel.get('title')!r} target {target.get('refId')}", target["expr"]))
            walk_panels(panel.get("panels", []))

    walk_panels(dashboard.get("panels", []))
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") != "query":
            continue
        query = variable.get("query")
        if isinstance(query, dict):
            query = query.get("query", "")
        selector = label_values_metric(query or "")
        if selector:
            found.append((f"variable ${variable.get('name')}", selector))
    return dashboard, found
