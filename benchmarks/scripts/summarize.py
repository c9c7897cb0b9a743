#!/usr/bin/env python3
"""Summarizes a side-by-side benchmark's results.csv: medians per server, ratios to the reference, charts.

    summarize.py results.csv                 prints the table (Markdown)
    summarize.py --charts DIR results.csv    also writes DIR/<scenario>.png with gnuplot

results.csv has the columns scenario,server,pipeline,round,test,rps,p50_ms,p99_ms (one row per run of one test).
The reference server of each scenario is the first of "redis", "hazelcast" and "memory" (in-memory sessions) that
it has; every other server is reported as the ratio of its median ops/s to the reference's median, and with its
median p50 and p99 next to the reference's.
"""
import csv
import os
import statistics
import subprocess
import sys
from collections import OrderedDict, defaultdict


def load(path):
    runs = defaultdict(list)
    order = OrderedDict()
    with open(path) as f:
        for row in csv.DictReader(f):
            key = (row["scenario"], row["pipeline"], row["test"])
            order.setdefault(row["scenario"], OrderedDict())[(row["pipeline"], row["test"])] = True
            runs[key + (row["server"],)].append(row)
    return runs, order


def median(rows, column):
    return statistics.median(float(r[column]) for r in rows)


REFERENCES = ("redis", "hazelcast", "memory")


def servers_of(runs, scenario):
    names = []
    for key in runs:
        if key[0] == scenario and key[3] not in names:
            names.append(key[3])
    reference = next((r for r in REFERENCES if r in names), names[0])
    return reference, [n for n in names if n != reference]


def table(runs, order):
    lines = []
    for scenario, cells in order.items():
        reference, others = servers_of(runs, scenario)
        lines.append("")
        lines.append(f"### {scenario}")
        lines.append("")
        header = f"| test | P | {reference} ops/s | p50 / p99 ms |"
        rule = "|---|---|---|---|"
        for other in others:
            header += f" {other} ops/s | p50 / p99 ms | ratio |"
            rule += "---|---|---|"
        lines += [header, rule]
        for pipeline, test in cells:
            ref = runs.get((scenario, pipeline, test, reference))
            if not ref:
                continue
            ref_rps = median(ref, "rps")
            line = (f"| {test} | {pipeline} | {ref_rps:,.0f} | "
                    f"{median(ref, 'p50_ms'):.3f} / {median(ref, 'p99_ms'):.3f} |")
            for other in others:
                rows = runs.get((scenario, pipeline, test, other))
                if not rows:
                    line += " | | |"
                    continue
                rps = median(rows, "rps")
                line += (f" {rps:,.0f} | {median(rows, 'p50_ms'):.3f} / {median(rows, 'p99_ms'):.3f} |"
                         f" **{rps / ref_rps:.2f}** |")
            lines.append(line)
    return "\n".join(lines)


def charts(runs, order, directory):
    for scenario, cells in order.items():
        reference, others = servers_of(runs, scenario)
        data = os.path.join(directory, f"{scenario}.dat")
        bars = 0
        with open(data, "w") as f:
            f.write("# label " + " ".join(f"{o}_ratio {reference}_p99 {o}_p99" for o in others) + "\n")
            for pipeline, test in cells:
                ref = runs.get((scenario, pipeline, test, reference))
                if not ref:
                    continue
                label = f"{test}/P{pipeline}" if pipeline.isdigit() else test.replace(" ", "_")
                values = []
                for other in others:
                    rows = runs.get((scenario, pipeline, test, other)) or ref
                    values += [median(rows, "rps") / median(ref, "rps"), median(ref, "p99_ms"),
                               median(rows, "p99_ms")]
                f.write(label + " " + " ".join(f"{v:.4f}" for v in values) + "\n")
                bars += 1
        png = os.path.join(directory, f"{scenario}.png")
        ratio_plots = ", ".join(
            f"'{data}' using {2 + 3 * i}:xtic(1) title '{o} / {reference}'" for i, o in enumerate(others))
        p99_plots = ", ".join(
            [f"'{data}' using 3:xtic(1) title '{reference}'"]
            + [f"'{data}' using {4 + 3 * i} title '{o}'" for i, o in enumerate(others)])
        script = f"""
set terminal pngcairo size 1400,520 font ',10'
set output '{png}'
set multiplot layout 1,2 title '{scenario}: {", ".join(others)} against {reference} (medians, same run)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -35
set grid ytics
set key top left
set xrange [-0.6:{bars - 0.4}]
set title 'throughput, ratio to {reference} (1.0 = equal)'
set yrange [0:*]
plot {ratio_plots}, 1 with lines dashtype 2 lc rgb 'black' notitle
set title 'p99 latency (ms, lower is better)'
plot {p99_plots}
unset multiplot
"""
        subprocess.run(["gnuplot"], input=script, text=True, check=True)


def main(argv):
    chart_dir = None
    if argv and argv[0] == "--charts":
        chart_dir, argv = argv[1], argv[2:]
    if len(argv) != 1:
        sys.exit(__doc__)
    runs, order = load(argv[0])
    print(table(runs, order))
    if chart_dir:
        charts(runs, order, chart_dir)


if __name__ == "__main__":
    main(sys.argv[1:])
