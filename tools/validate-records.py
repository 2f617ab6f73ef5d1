"""Validates zmqsuite records against the JSON Schemas in schemas/.

    .venv/bin/python tools/validate-records.py SCHEMA RECORD...

SCHEMA is report, perf or gate (schemas/<name>.schema.json). Prints one line per record and
every error with its JSON path; exits 1 when any record is invalid, 2 on bad arguments.
"""
import json
import pathlib
import sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMAS = pathlib.Path(__file__).resolve().parent.parent / "schemas"


def registry():
    """Every schema under its $id, so that one schema can refer to another's $defs."""
    resources = []
    for path in SCHEMAS.glob("*.schema.json"):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path = SCHEMAS / f"{argv[1]}.schema.json"
    if not path.exists():
        print(f"validate-records: no schema {path} (expected report, perf or gate)", file=sys.stderr)
        return 2
    validator = Draft202012Validator(json.loads(path.read_text()), registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    bad = 0
    for record in argv[2:]:
        errors = sorted(validator.iter_errors(json.loads(pathlib.Path(record).read_text())), key=lambda e: list(e.absolute_path))
        print(f"{record}: {'valid' if not errors else f'{len(errors)} error(s)'}")
        for e in errors[:20]:
            print(f"  at /{'/'.join(str(p) for p in e.absolute_path)}: {e.message}")
        bad += bool(errors)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
