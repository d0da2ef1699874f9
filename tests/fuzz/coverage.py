#!/usr/bin/env python3
"""Reads a schemathesis NDJSON report and fails unless the run did what issue #5
asks of it: every documented operation tested, at least 100 generated cases an
operation in the fuzzing phase (an operation that takes no input at all has one
possible request, and gets it), and a stateful phase that ran, passed, and chained
requests on earlier answers.

    python3 tests/fuzz/coverage.py served-openapi.json tests/fuzz/results/sqlite/ndjson-*.ndjson

The document is the one the server served for the run (run.sh saves it).
"""
import collections
import json
import sys

MIN_CASES = 100
# Runs so far gave 18 to 40 stateful scenarios; fewer than this means the phase
# found nothing to chain.
MIN_STATEFUL_SCENARIOS = 5
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def documented(path):
    with open(path) as f:
        doc = json.load(f)
    ops = {}
    for template, item in doc["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            takes_input = bool(op.get("parameters")) or "requestBody" in op
            ops[f"{method.upper()} {template}"] = takes_input
    return ops


def main(doc_path, report_path):
    ops = documented(doc_path)
    cases = collections.defaultdict(collections.Counter)
    phases = {}
    stateful_scenarios = chained = 0
    with open(report_path) as f:
        for line in f:
            event = json.loads(line)
            if "PhaseFinished" in event:
                e = event["PhaseFinished"]
                phases[e["phase"]["name"]] = (e["phase"]["is_enabled"], e["status"])
            if "ScenarioFinished" not in event:
                continue
            e = event["ScenarioFinished"]
            recorded = e["recorder"].get("cases", {})
            if e["phase"] == "stateful":
                stateful_scenarios += 1
                chained += any(c.get("parent_id") for c in recorded.values())
                for c in recorded.values():
                    v = c["value"]
                    cases[f"{v['method']} {v['path']}"]["stateful"] += 1
            else:
                cases[e["recorder"]["label"]][e["phase"]] += len(recorded)
    problems = []
    for op, takes_input in sorted(ops.items()):
        wanted = MIN_CASES if takes_input else 1
        got = cases[op]["fuzzing"]
        if got < wanted:
            problems.append(f"{op}: {got} cases in the fuzzing phase, fewer than {wanted}")
    for phase in ("examples", "coverage", "fuzzing", "stateful"):
        enabled, status = phases.get(phase, (False, "missing"))
        if not enabled or status not in ("success",):
            problems.append(f"the {phase} phase did not run to success ({status})")
    if stateful_scenarios < MIN_STATEFUL_SCENARIOS or chained == 0:
        problems.append(
            f"the stateful phase ran {stateful_scenarios} scenarios, {chained} of them chained on "
            f"earlier answers (wanted {MIN_STATEFUL_SCENARIOS}, and some chained)"
        )
    total = sum(sum(c.values()) for c in cases.values())
    print(
        f"fuzz coverage: {len(ops)} documented operations, "
        f"{sum(1 for op in ops if cases[op]['fuzzing'])} fuzzed, "
        f"fewest fuzzing cases for an operation with input "
        f"{min((cases[op]['fuzzing'] for op, i in ops.items() if i), default=0)}, "
        f"{stateful_scenarios} stateful scenarios ({chained} chained), {total} cases in all"
    )
    for p in problems:
        print(f"fuzz coverage: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
