"""deploy/prometheus/ and deploy/grafana/ without any server: the example scrape config passes
`promtool check config`, and every PromQL expression of the Grafana dashboard selects only metric names
the monitor exports (the golden exposition, kept equal to src/exporters/metric_table.cpp by a unit test)
and filters by the $server variable the scrape config's `server` label feeds."""
import glob
import os
import re
import shutil
import subprocess
import unittest

from promql_names import (REPO_ROOT, dashboard_expressions, exported_metric_names, metric_names_in,
                          substitute_grafana_variables)

PROMETHEUS_DIR = os.path.join(REPO_ROOT, "deploy", "prometheus")
GRAFANA_DIR = os.path.join(REPO_ROOT, "deploy", "grafana")
SCRAPE_CONFIG = os.path.join(PROMETHEUS_DIR, "prometheus.yml")


def promtool():
    path = shutil.which("promtool")
    if path is None:
        raise AssertionError("promtool is not on the PATH: install Debian's 'prometheus' package "
                             "(scripts/install-deps.sh does); this check must not be skipped")
    return path


class ScrapeConfig(unittest.TestCase):
    def test_promtool_check_config_accepts_it(self):
        r = subprocess.run([promtool(), "check", "config", SCRAPE_CONFIG], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("SUCCESS", r.stdout + r.stderr)

    def test_scrapes_several_servers_and_labels_them_by_server(self):
        with open(SCRAPE_CONFIG, encoding="utf-8") as f:
            text = f.read()
        targets = re.findall(r"^\s*-\s*([\w.-]+:\d+)\s*$", text, re.MULTILINE)
        self.assertGreaterEqual(len(targets), 3, targets)
        self.assertEqual(len(set(targets)), len(targets), "a server listed twice")
        self.assertRegex(text, r"target_label:\s*server\b", "the dashboard's $server needs a `server` label")
        self.assertRegex(text, r"metrics_path:\s*/metrics\b")


class PromqlLexer(unittest.TestCase):
    def test_names_functions_labels_and_variables(self):
        cases = {
            'cmon_host_load1{server=~"$server"}': {"cmon_host_load1"},
            "topk(10, rate(container_cpu_usage_seconds_total{name!=\"x\"}[$__rate_interval]))":
                {"container_cpu_usage_seconds_total"},
            "sum by (server, gpu) (DCGM_FI_DEV_FB_USED) / on (server, gpu) DCGM_FI_DEV_FB_TOTAL":
                {"DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_TOTAL"},
            "a and on (pid) (b == 1) or vector(0)": {"a", "b"},
            "100 * (1 - x_bytes / y_bytes) > 1e3": {"x_bytes", "y_bytes"},
            "time() - since_seconds offset 5m": {"since_seconds"},
            "count(up)": {"up"},
            '{__name__=~"DCGM.*"}': {"__name__"},
            'sum without (instance) (rate(m_total{a="by (x) y"}[5m:30s]))': {"m_total"},
        }
        for expr, names in cases.items():
            self.assertEqual(metric_names_in(expr), names, expr)

    def test_grafana_variables(self):
        self.assertEqual(substitute_grafana_variables('m{s=~"$server"}[$__rate_interval]'), 'm{s=~".+"}[1m]')
        self.assertEqual(substitute_grafana_variables('m{s=~"${server:regex}"}'), 'm{s=~".+"}')


class GrafanaDashboard(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.exported = exported_metric_names()
        cls.paths = sorted(glob.glob(os.path.join(GRAFANA_DIR, "*.json")))

    def test_there_is_a_dashboard(self):
        self.assertTrue(self.paths, f"no dashboard JSON in {GRAFANA_DIR}")

    def test_every_expression_selects_only_metrics_we_export(self):
        for path in self.paths:
            _, expressions = dashboard_expressions(path)
            self.assertGreater(len(expressions), 10, path)
            for where, expr in expressions:
                with self.subTest(dashboard=os.path.basename(path), where=where):
                    names = metric_names_in(expr)
                    self.assertTrue(names, f"{expr!r} selects no metric")
                    self.assertEqual(names - self.exported, set(), f"{expr!r} uses metrics /metrics does not have")

    def test_every_panel_filters_by_the_server_variable(self):
        for path in self.paths:
            dashboard, expressions = dashboard_expressions(path)
            variables = {v["name"]: v for v in dashboard["templating"]["list"]}
            self.assertIn("server", variables)
            self.assertTrue(variables["server"].get("multi") and variables["server"].get("includeAll"))
            self.assertIn("datasource", variables)
            for where, expr in expressions:
                if where.startswith("panel"):
                    selectors = re.findall(r"\b[A-Za-z_:][A-Za-z0-9_:]*\{[^}]*\}", expr)
                    bare = [n for n in metric_names_in(expr) if not re.search(re.escape(n) + r"\{", expr)]
                    with self.subTest(where=where):
                        self.assertEqual(bare, [], f"{expr!r}: a selector without the $server filter")
                        for selector in selectors:
                            self.assertIn('server=~"$server"', selector, expr)

    def test_covers_hosts_gpus_containers_gpu_per_container_and_idle_holders(self):
        for path in self.paths:
            _, expressions = dashboard_expressions(path)
            used = set().union(*(metric_names_in(e) for _, e in expressions))
            for name in ("cmon_host_cpu_busy_percent", "cmon_host_memory_used_bytes", "DCGM_FI_DEV_GPU_UTIL",
                         "DCGM_FI_DEV_FB_USED", "container_cpu_usage_seconds_total",
                         "container_memory_working_set_bytes", "cmon_container_gpu_memory_bytes",
                         "cmon_gpu_process_idle", "cmon_source_up"):
                self.assertIn(name, used, path)

    def test_panels_have_unique_ids_and_a_place(self):
        for path in self.paths:
            dashboard, _ = dashboard_expressions(path)
            ids = [p["id"] for p in dashboard["panels"]]
            self.assertEqual(len(ids), len(set(ids)), path)
            for panel in dashboard["panels"]:
                grid = panel["gridPos"]
                self.assertLessEqual(grid["x"] + grid["w"], 24, panel["title"])
                if panel["type"] != "row":
                    self.assertEqual(panel["datasource"]["uid"], "${datasource}", panel["title"])


if __name__ == "__main__":
    unittest.main()
