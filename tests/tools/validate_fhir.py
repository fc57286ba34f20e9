#!/usr/bin/env python3
"""Validate a FHIR R4 (4.0.1) Questionnaire / QuestionnaireResponse JSON file.

Usage: validate_fhir.py FILE.json
  exit 0 and prints "valid <resourceType> <n> items" on success
    (n = all items, counted recursively, incl. items nested under answers)
  exit 1 on validation failure (errors on stderr)
  exit 2 on usage / IO / JSON / unsupported resourceType errors

Layers:
  1. fhir.resources==6.4.0 (last release whose top-level models are R4 4.0.1;
     pydantic v1): structure, cardinality, primitive formats, unknown fields.
  2. Required code bindings. fhir.resources does NOT enforce them (it accepts
     status "bogus"), so every model field carrying `enum_values` metadata is
     checked here. Lists ending in "+" are truncated by the generator; the full
     R4 value set is supplied from KNOWN_CODES.
  3. A few R4 invariants (que-1..que-7 subset, enableWhen target exists,
     answer[x] type matches operator).
"""
import json
import sys

import pydantic
import fhir.resources
from fhir.resources.core.fhirabstractmodel import FHIRAbstractModel
from fhir.resources.questionnaire import Questionnaire
from fhir.resources.questionnaireresponse import QuestionnaireResponse

assert fhir.resources.__fhir_version__ == "4.0.1", fhir.resources.__fhir_version__

MODELS = {"Questionnaire": Questionnaire, "QuestionnaireResponse": QuestionnaireResponse}

# R4 value sets whose enum_values are truncated ("+") in fhir.resources 6.4.0
KNOWN_CODES = {
    ("QuestionnaireItem", "type"): [
        "group", "display", "boolean", "decimal", "integer", "date", "dateTime",
        "time", "string", "text", "url", "choice", "open-choice", "attachment",
        "reference", "quantity",
    ],
}


def check_codes(obj, path, errors):
    """Recursively check every field that has a required binding (enum_values)."""
    if isinstance(obj, list):
        for i, x in enumerate(obj):
            check_codes(x, f"{path}[{i}]", errors)
        return
    if not isinstance(obj, FHIRAbstractModel):
        return
    cls = type(obj)
    for name, field in cls.__fields__.items():
        value = getattr(obj, name, None)
        if value is None:
            continue
        allowed = field.field_info.extra.get("enum_values")
        if allowed:
            if "+" in allowed:
                allowed = KNOWN_CODES.get((cls.__name__, name))
            if allowed:
                for v in value if isinstance(value, list) else [value]:
                    if v not in allowed:
                        errors.append(f"{path}.{field.alias}: code {v!r} not in required value set {allowed}")
        check_codes(value, f"{path}.{field.alias}", errors)


def walk_items(items, path):
    for i, it in enumerate(items or []):
        p = f"{path}.item[{i}]"
        yield p, it
        yield from walk_items(it.item, p)
        for j, ans in enumerate(getattr(it, "answer", None) or []):  # QR only
            yield from walk_items(ans.item, f"{p}.answer[{j}]")


ANSWER_FIELDS = ["answerBoolean", "answerDecimal", "answerInteger", "answerDate",
                 "answerDateTime", "answerTime", "answerString", "answerCoding",
                 "answerQuantity", "answerReference"]


def check_questionnaire(q, errors):
    items = list(walk_items(q.item, "Questionnaire"))
    link_ids = {}
    for p, it in items:
        if it.linkId in link_ids:
            errors.append(f"{p}: que-2 duplicate linkId {it.linkId!r}")
        link_ids[it.linkId] = it
    for p, it in items:
        if it.type == "group" and not it.item:
            errors.append(f"{p}: que-1 group item must have nested items")
        if it.type == "display" and it.item:
            errors.append(f"{p}: que-1 display item cannot have nested items")
        if it.type == "display" and it.code:
            errors.append(f"{p}: que-3 display item must not have code")
        if it.answerOption and it.answerValueSet:
            errors.append(f"{p}: que-4 answerOption and answerValueSet are mutually exclusive")
        if (it.answerOption or it.answerValueSet) and it.type not in ("choice", "open-choice"):
            errors.append(f"{p}: que-5 only choice/open-choice may have answerOption/answerValueSet")
        if it.type == "display" and (it.required is not None or it.repeats is not None):
            errors.append(f"{p}: que-6 display item cannot be required or repeat")
        if it.enableWhen and len(it.enableWhen) > 1 and not it.enableBehavior:
            errors.append(f"{p}: que-12 enableBehavior required when >1 enableWhen")
        for k, ew in enumerate(it.enableWhen or []):
            ep = f"{p}.enableWhen[{k}]"
            set_ans = [f for f in ANSWER_FIELDS if getattr(ew, f, None) is not None]
            if ew.operator == "exists" and set_ans != ["answerBoolean"]:
                errors.append(f"{ep}: que-7 operator 'exists' requires answerBoolean")
            if ew.question not in link_ids:
                errors.append(f"{ep}: question {ew.question!r} matches no item linkId")


def count_items(resource):
    return sum(1 for _ in walk_items(resource.item, resource.resource_type))


def main(argv):
    if len(argv) != 2:
        print(f"usage: {argv[0]} FILE.json", file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as e:
        print(f"error: cannot read JSON from {argv[1]}: {e}", file=sys.stderr)
        return 2
    rtype = data.get("resourceType") if isinstance(data, dict) else None
    model = MODELS.get(rtype)
    if model is None:
        print(f"error: unsupported resourceType {rtype!r} (expected one of {sorted(MODELS)})", file=sys.stderr)
        return 2
    try:
        resource = model.parse_obj(data)
    except pydantic.ValidationError as e:
        print(f"invalid {rtype} (fhir.resources {fhir.resources.__version__}, FHIR {fhir.resources.__fhir_version__}):", file=sys.stderr)
        print(str(e), file=sys.stderr)
        return 1
    errors = []
    check_codes(resource, rtype, errors)
    if rtype == "Questionnaire":
        check_questionnaire(resource, errors)
    if errors:
        print(f"invalid {rtype}: {len(errors)} error(s)", file=sys.stderr)
        for e in errors:
            print(f"  {e}", file=sys.stderr)
        return 1
    print(f"valid {rtype} {count_items(resource)} items")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
