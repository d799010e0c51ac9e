"""`make audit`: pip-audit over requirements.lock; fails on a known vulnerability that has a fix.

The lock pins every package, so pip-audit reads it as it is (`--no-deps`, no resolver run) and
asks its vulnerability service (PyPI's) about each exact version. Then:

- a vulnerability with a fixed version → exit 1, naming the package and the version to move to
  (upgrade the pin in requirements.lock and run the tests);
- a vulnerability without a fix → reported, not failing (nothing to upgrade to);
- a package the service could not answer for (an unknown version, the service unreachable) →
  reported loudly with the count; failing only with CLINICPAY_AUDIT_STRICT=1, since a mirror
  that serves packages but not the advisory API would otherwise fail every build.

Writes the full pip-audit answer to test-artifacts/pip-audit.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "test-artifacts" / "pip-audit.json"


def main() -> int:
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "pip_audit",
        "--requirement",
        str(ROOT / "requirements.lock"),
        "--no-deps",
        "--disable-pip",
        "--progress-spinner",
        "off",
        "--format",
        "json",
        "--output",
        str(REPORT),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    strict = os.environ.get("CLINICPAY_AUDIT_STRICT") == "1"
    if not REPORT.exists():
        print(f"pip-audit could not run:\n{done.stderr.strip()[-2000:]}")
        return 1 if strict else 0
    deps = json.loads(REPORT.read_text())["dependencies"]
    fixable, unfixable, unaudited = [], [], []
    for dep in deps:
        if "skip_reason" in dep:
            unaudited.append(dep)
        for vuln in dep.get("vulns", []):
            (fixable if vuln.get("fix_versions") else unfixable).append((dep, vuln))
    audited = len(deps) - len(unaudited)
    print(
        f"pip-audit: {audited} of {len(deps)} locked packages audited; "
        f"{len(fixable)} fixable and {len(unfixable)} unfixable known vulnerabilities"
    )
    for dep, vuln in unfixable:
        print(f"  no fix yet: {dep['name']} {dep['version']} {vuln['id']}")
    for dep, vuln in fixable:
        print(f"  FIX: {dep['name']} {dep['version']} {vuln['id']} -> upgrade to {', '.join(vuln['fix_versions'])}")
    if unaudited:
        print(f"  WARNING: {len(unaudited)} packages could not be audited, e.g. {unaudited[0]['skip_reason']}")
    if fixable or (strict and unaudited):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
