#!/usr/bin/env python3
"""The CI recipes of docs/ci.md run as written.

    ci_recipes.py SOURCE_DIR BUILD_DIR WORK_DIR

Takes the shell commands out of each YAML block of docs/ci.md (GitHub Actions: the `run:` steps;
GitLab CI: the `script:` items) and runs them, in order and with `set -e`, in a scratch workspace
laid out as the recipes expect: `properties/` holds property files (the consumer project's, from
tests/install/consumer), `wakecheck/` is this source tree and `wakecheck/build` its build tree.
Offline and against the build tree, so two kinds of line are not run but checked:
  - apt-get lines (provisioning the runner; they need the network);
  - the lines that configure and build wakecheck, which must be the README's main job (the same
    cmake options and target); the build tree stands in for their result.
Then every file the upload steps name (sarif_file, path, junit, paths) must exist, the JUnit XML
must parse with a testcase per check, and the SARIF must be a 2.1.0 log.
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.dom.minidom


def fail(message):
    print("ci recipes: " + message, file=sys.stderr)
    sys.exit(1)


def yaml_blocks(text):
    return re.findall(r"^```yaml\n(.*?)^```", text, re.S | re.M)


def unquote(item):
    item = item.strip()
    if len(item) >= 2 and item[0] == "'" and item[-1] == "'":
        return item[1:-1].replace("''", "'")
    return item


def indented_lines(lines, start, indent):
    """The lines after `start` indented deeper than `indent`, up to the first that is not."""
    out = []
    for line in lines[start + 1:]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        if line.strip():
            out.append(line.strip())
    return out


def github_commands_and_uploads(block):
    lines = block.split("\n")
    commands, uploads = [], []
    for i, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        stripped = line.strip().removeprefix("- ")
        if stripped == "run: |":
            commands += indented_lines(lines, i, indent)
        elif stripped.startswith("run: "):
            commands.append(stripped[len("run: "):])
        elif stripped.startswith("sarif_file: "):
            uploads.append(stripped[len("sarif_file: "):])
        elif stripped == "path: |":
            uploads += indented_lines(lines, i, indent)
        elif stripped.startswith("path: "):
            uploads.append(stripped[len("path: "):])
    return commands, uploads


def gitlab_commands_and_uploads(block):
    lines = block.split("\n")
    commands, uploads = [], []
    for i, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        stripped = line.strip()
        if stripped == "script:":
            commands += [unquote(item[2:]) for item in indented_lines(lines, i, indent) if item.startswith("- ")]
        elif stripped == "paths:":
            uploads += [unquote(item[2:]) for item in indented_lines(lines, i, indent) if item.startswith("- ")]
        elif stripped.startswith("junit: "):
            uploads.append(stripped[len("junit: "):])
    return commands, uploads


def readme_main_job(source):
    text = open(os.path.join(source, "README.md")).read()
    match = re.search(r"^    (scripts/install-deps && cmake -S \. -B build [^\n]*)$", text, re.M)
    if not match:
        fail("README.md has no main-job command (scripts/install-deps && cmake -S . -B build ...)")
    return [part.strip() for part in match.group(1).split("&&")]


def check_build_line(command, main_job):
    """A line that configures or builds wakecheck in wakecheck/build must be the main job's."""
    words = shlex.split(command)
    mapped = " ".join(words).replace("-S wakecheck -B wakecheck/build", "-S . -B build").replace(
        "--build wakecheck/build", "--build build")
    if mapped not in main_job:
        fail(f"'{command}' is not a step of the README's main job: {' && '.join(main_job)}")


def run_recipe(name, commands, uploads, source, build, work, main_job):
    workspace = os.path.join(work, name)
    shutil.rmtree(workspace, ignore_errors=True)
    os.makedirs(os.path.join(workspace, "wakecheck"))
    os.makedirs(os.path.join(workspace, "home"))
    shutil.copytree(os.path.join(source, "tests/install/consumer/properties"), os.path.join(workspace, "properties"))
    for entry in os.listdir(source):
        if entry not in ("build", ".git"):
            os.symlink(os.path.join(source, entry), os.path.join(workspace, "wakecheck", entry))
    os.symlink(build, os.path.join(workspace, "wakecheck", "build"))

    script = ["set -euo pipefail"]
    ran, checked = 0, 0
    for command in commands:
        if "apt-get" in command:
            checked += 1
            continue
        if command.startswith("cmake -S wakecheck") or command.startswith("cmake --build wakecheck/build"):
            check_build_line(command, main_job)
            checked += 1
            continue
        script.append(command)
        ran += 1
    if ran < 3:
        fail(f"{name}: only {ran} commands to run; the recipe lost its steps?")
    env = dict(os.environ, HOME=os.path.join(workspace, "home"))
    result = subprocess.run(["bash", "-c", "\n".join(script)], cwd=workspace, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout)
        print(result.stderr, file=sys.stderr)
        fail(f"{name}: the recipe's commands exit {result.returncode}")

    if len(uploads) < 2:
        fail(f"{name}: the recipe uploads fewer than two reports")
    for upload in uploads:
        if not os.path.exists(os.path.join(workspace, upload)):
            fail(f"{name}: the recipe uploads {upload}, which its commands did not write")
    reports = os.path.join(workspace, "reports")
    junit = xml.dom.minidom.parse(os.path.join(reports, "wakecheck.xml"))
    testcases = len(junit.getElementsByTagName("testcase"))
    if testcases == 0 or junit.documentElement.getAttribute("failures") != "0":
        fail(f"{name}: the JUnit XML has {testcases} testcases and failures '{junit.documentElement.getAttribute('failures')}'")
    sarif = json.load(open(os.path.join(reports, "wakecheck.sarif")))
    if sarif.get("version") != "2.1.0" or len(sarif.get("runs", [])) != 1:
        fail(f"{name}: the SARIF is not a 2.1.0 log with one run")
    if not os.path.exists(os.path.join(reports, "html", "index.html")):
        fail(f"{name}: no HTML index")
    print(f"{name}: ran {ran} commands ({checked} checked, not run), {testcases} testcases, uploads {', '.join(uploads)}")


def main():
    if len(sys.argv) != 4:
        fail("usage: ci_recipes.py SOURCE_DIR BUILD_DIR WORK_DIR")
    source, build, work = (os.path.realpath(arg) for arg in sys.argv[1:])
    text = open(os.path.join(source, "docs/ci.md")).read()
    main_job = readme_main_job(source)
    recipes = {}
    for block in yaml_blocks(text):
        if "runs-on:" in block:
            recipes["github"] = github_commands_and_uploads(block)
        elif "script:" in block:
            recipes["gitlab"] = gitlab_commands_and_uploads(block)
    if sorted(recipes) != ["github", "gitlab"]:
        fail(f"docs/ci.md should have a GitHub Actions and a GitLab CI recipe; found {sorted(recipes)}")
    for name, (commands, uploads) in sorted(recipes.items()):
        run_recipe(name, commands, uploads, source, build, work, main_job)


main()
