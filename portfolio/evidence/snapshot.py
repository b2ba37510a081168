"""Building a submission's snapshot (plain data only), its hash, and what changed between two
versions."""

import hashlib
import json
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.casework.models import Case
from portfolio.evidence.content import case_item_content
from portfolio.evidence.content_diff import content_changes
from portfolio.evidence.models import EvidenceItem, Mapping, Portfolio
from portfolio.extensions import db
from portfolio.framework.models import Outcome, Unit
from portfolio.library.queries import spec_of


def canonical_json(data: dict) -> bytes:
    """A stable byte form of plain data (sorted keys, no spaces) for hashing."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def snapshot_hash(snapshot: dict) -> str:
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()


def item_key(item: dict) -> str:
    """What identifies 'the same item' across versions."""
    return f"{item['source']}:{item.get('case_id') or ''}:{item.get('source_ref') or item['id']}"


def live_items(portfolio: Portfolio) -> list[EvidenceItem]:
    """The portfolio's items in the order they are listed, mappings loaded in one query."""
    return list(
        db.session.scalars(
            sa.select(EvidenceItem)
            .where(EvidenceItem.portfolio_id == portfolio.id, EvidenceItem.withdrawn.is_(False))
            .options(so.selectinload(EvidenceItem.mappings).joinedload(Mapping.criterion))
            .order_by(EvidenceItem.case_id.is_(None), EvidenceItem.case_id, EvidenceItem.id)
        )
    )


def item_content(item: EvidenceItem, cases: dict[int, Case]) -> dict:
    """An item's content as plain data: from the case's records, the upload, or the body."""
    if item.case_id is not None:
        return case_item_content(cases[item.case_id], item.source, item.source_ref)
    if item.source == "upload":
        return {
            "file": {
                "name": item.original_name,
                "type": item.mime_type,
                "size": item.size,
                "sha256": item.sha256,
                "stored_name": item.stored_name,
            }
        }
    return {"body": item.body}


def unit_outline(unit: Unit) -> dict:
    outcomes = db.session.scalars(
        sa.select(Outcome)
        .where(Outcome.unit_id == unit.id)
        .options(so.selectinload(Outcome.criteria))
        .order_by(Outcome.position)
    )
    return {
        "code": unit.code,
        "title": unit.title,
        "level": unit.level,
        "source_note": unit.source_note,
        "outcomes": [
            {
                "ref": o.ref,
                "title": o.title,
                "kind": o.kind,
                "criteria": [{"ref": c.ref, "text": c.text} for c in o.criteria],
            }
            for o in outcomes
        ],
    }


def build_snapshot(portfolio: Portfolio, *, declared_name: str, declared_on: date) -> dict:
    """Everything a submission freezes, as plain data: learner, unit with criteria text, every
    item's content and confirmed mappings, and the declaration."""
    items = live_items(portfolio)
    case_ids = {i.case_id for i in items if i.case_id is not None}
    cases = {
        c.id: c
        for c in db.session.scalars(
            sa.select(Case).where(Case.id.in_(case_ids)).options(so.joinedload(Case.version))
        )
    }
    learner = portfolio.learner
    return {
        "format": 1,
        "learner": {"id": learner.id, "name": learner.full_name, "email": learner.email},
        "centre": learner.centre.name if learner.centre else "",
        "unit": unit_outline(portfolio.unit),
        "items": [
            {
                "id": item.id,
                "kind": item.kind.value,
                "source": item.source,
                "case_id": item.case_id,
                "source_ref": item.source_ref,
                "scenario": spec_of(cases[item.case_id].version).title if item.case_id else None,
                "title": item.title,
                "description": item.description,
                "occurred_on": item.occurred_on.isoformat() if item.occurred_on else None,
                "content": item_content(item, cases),
                "mappings": [
                    {
                        "ref": m.criterion.ref,
                        "text": m.criterion.text,
                        "justification": m.justification,
                    }
                    for m in item.mappings
                    if m.confirmed
                ],
            }
            for item in items
        ],
        "declaration": {"name": declared_name, "date": declared_on.isoformat()},
    }


def diff_snapshots(old: dict, new: dict) -> dict:
    """What changed from one version to the next: items added, removed and changed (which
    parts of their content, line by line, and their mappings), and criteria newly covered or
    no longer covered."""
    before = {item_key(i): i for i in old["items"]}
    after = {item_key(i): i for i in new["items"]}
    changed = []
    for key in before.keys() & after.keys():
        a, b = before[key], after[key]
        mapped_a = {m["ref"]: m["justification"] for m in a["mappings"]}
        mapped_b = {m["ref"]: m["justification"] for m in b["mappings"]}
        if a["content"] != b["content"] or mapped_a != mapped_b or a["title"] != b["title"]:
            changed.append(
                {
                    "title": b["title"],
                    "content_changed": a["content"] != b["content"],
                    "content_parts": content_changes(a["content"], b["content"]),
                    "mappings_added": sorted(mapped_b.keys() - mapped_a.keys()),
                    "mappings_removed": sorted(mapped_a.keys() - mapped_b.keys()),
                    "justifications_changed": sorted(
                        r for r in mapped_a.keys() & mapped_b.keys() if mapped_a[r] != mapped_b[r]
                    ),
                }
            )

    def covered(snapshot: dict) -> set[str]:
        return {m["ref"] for i in snapshot["items"] for m in i["mappings"]}

    return {
        "added": sorted(after[k]["title"] for k in after.keys() - before.keys()),
        "removed": sorted(before[k]["title"] for k in before.keys() - after.keys()),
        "changed": sorted(changed, key=lambda c: c["title"]),
        "newly_covered": sorted(covered(new) - covered(old)),
        "no_longer_covered": sorted(covered(old) - covered(new)),
    }
