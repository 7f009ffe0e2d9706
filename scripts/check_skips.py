#!/usr/bin/python3
"""Fails when a ctest test was skipped although scripts/setup.sh installs what it needs.

  check_skips.py JUNIT_XML [SETUP_SH]

JUNIT_XML is written by `ctest --output-junit FILE`. A test skips (ctest status "notrun": exit code
77, or GoogleTest's skip line, see tests/CMakeLists.txt) only when a tool is missing. Every tool a
test may skip for is installed by setup.sh, so on a machine set up by it each skip is a failure: the
test claimed nothing. A skipped test whose dependency is not listed below fails too (a skip with no
declared reason).
"""
import re
import sys
import xml.etree.ElementTree as ET

# ctest name pattern -> the Debian package whose absence makes it skip.
DEPENDS_ON = [
    (r"^mpi\.ot_sinkhorn_test\.", "python3-pot"),        # the POT cross-check of Sinkhorn and exact OT
    (r"^unit\.io_xdmf_test$", "paraview"),               # pvpython reads the written XDMF
    (r"^unit\.streaming_softmax_blas_test$", "libopenblas-serial-dev"),  # the BLAS path of the softmax
    (r"^workflow\.paraview\.", "python3-paraview"),
    (r"^workflow\.slurm\.", "slurm-wlm"),
    (r"^workflow\.postprocess\.", "python3-matplotlib"),
]


def setup_packages(setup_sh):
    text = open(setup_sh).read()
    block = re.search(r"PACKAGES=\((.*?)\)", text, re.S)
    return set(block.group(1).split()) if block else set()


def skipped_tests(junit_xml):
    root = ET.parse(junit_xml).getroot()
    out = []
    for case in root.iter("testcase"):
        if case.get("status") == "notrun" or case.find("skipped") is not None:
            out.append(case.get("name"))
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    junit = sys.argv[1]
    setup_sh = sys.argv[2] if len(sys.argv) > 2 else __file__.rsplit("/", 1)[0] + "/setup.sh"
    installed_by_setup = setup_packages(setup_sh)
    failures = 0
    skipped = skipped_tests(junit)
    for name in skipped:
        package = next((p for pattern, p in DEPENDS_ON if re.search(pattern, name)), None)
        if package is None:
            print(f"check_skips: FAIL {name} skipped, and no dependency is declared for it (scripts/check_skips.py)")
            failures += 1
        elif package in installed_by_setup:
            print(f"check_skips: FAIL {name} skipped, but scripts/setup.sh installs {package}")
            failures += 1
        else:
            print(f"check_skips: {name} skipped ({package} is not installed by setup.sh)")
    print(f"check_skips: {len(skipped)} skipped test(s), {failures} not allowed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
