#!/usr/bin/env python3
"""Every metric name the code writes is listed in docs/metrics.md.

Usage: check_metrics_doc.py <repository root>. Finds assignments `metrics["a.b"] = ...`,
`m["a.b"] = ...` (and `metrics[std::string("a.b") + tag]`) in src/, and fails naming each one that
docs/metrics.md does not mention in backquotes. Exits 1 as well if it finds fewer than 20 names (the
pattern no longer matches how metrics are written), so the check cannot pass vacuously.
"""
import pathlib
import re
import sys

WRITE = re.compile(r'\b(?:metrics|m)\[(?:std::string\()?"([a-z_]+\.[a-z0-9_]+)"')


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    doc = (root / "docs" / "metrics.md").read_text()
    listed = set(re.findall(r"`([a-z_]+\.[a-z0-9_]+)", doc))
    written = {}
    for path in sorted((root / "src").rglob("*.[ch]pp")):
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            for name in WRITE.findall(line):
                written.setdefault(name, f"{path.relative_to(root)}:{n}")
    missing = sorted(name for name in written if name not in listed)
    for name in missing:
        print(f"{written[name]}: metric '{name}' is not listed in docs/metrics.md")
    print(f"{len(written)} metric names written by src/, {len(missing)} not in docs/metrics.md")
    if len(written) < 20:
        print("too few metric names found: has the way metrics are written changed?")
        return 1
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
