"""Generated portfolios for the large demo: evidence items from a learner's most advanced cases
with the scenario's proposed mappings (confirmed for a share), and submitted versions whose
snapshots have the shape evidence/snapshot.py builds."""

from __future__ import annotations

from datetime import datetime, timedelta

from portfolio.demo import marking
from portfolio.demo.cases import evidence_sources, item_content, proposed_refs
from portfolio.demo.state import GeneratedCase, Generation, Learner
from portfolio.evidence.content import SOURCE_TITLES
from portfolio.evidence.models import (
    EvidenceItem,
    EvidenceKind,
    Mapping,
    Portfolio,
    Submission,
    SubmissionStatus,
)
from portfolio.evidence.snapshot import snapshot_hash

CASES_IN_PORTFOLIO = 1
VERSIONS, VERSION_WEIGHTS = (0, 1, 2, 3, 4), (3, 8, 18, 33, 38)


def _item_rows(gen: Generation, portfolio_id: int, learner: Learner, cases, confirm_before):
    """Evidence items and mappings for the chosen cases; returns the items as snapshot parts."""
    criteria = {c.ref: c for c in gen.criteria}
    sources = [(case, s) for case in cases for s in evidence_sources(case.plan)]
    ids = gen.writer.ids(EvidenceItem.__table__, len(sources))
    items = []
    for item_id, (case, source) in zip(ids, sources, strict=True):
        spec = case.kit.spec
        created = case.created_at + timedelta(minutes=gen.rng.randint(5, 600))
        title = f"{SOURCE_TITLES[source]}: {spec.organisation}"[:200]
        gen.add(
            EvidenceItem.__table__,
            {
                "id": item_id,
                "portfolio_id": portfolio_id,
                "kind": EvidenceKind.SIMULATED,
                "source": source,
                "case_id": case.id,
                "source_ref": "",
                "title": title,
                "description": f"From the simulated case {spec.title}.",
                "occurred_on": case.created_at.date(),
                "body": "",
                "author_id": learner.id,
                "withdrawn": False,
                "created_at": created,
            },
        )
        confirmed = created < confirm_before or gen.rng.random() < 0.35
        mapped = []
        for ref in proposed_refs(case.kit, source):
            if ref not in criteria:
                continue
            why = f"This {source.replace('_', ' ')} shows how I met {ref}." if confirmed else ""
            gen.add(
                Mapping.__table__,
                {
                    "item_id": item_id,
                    "criterion_id": criteria[ref].id,
                    "justification": why,
                    "confirmed": confirmed,
                },
            )
            if confirmed:
                mapped.append({"ref": ref, "text": criteria[ref].text, "justification": why})
        items.append((created, item_id, case, source, title, mapped))
    return items


def _versions(gen: Generation, first: datetime, allocated: bool) -> list[dict]:
    """When each version was submitted and, for marked ones, completed, with its status."""
    rng, now = gen.rng, gen.now
    wanted = rng.choices(VERSIONS, VERSION_WEIGHTS)[0] if allocated else min(1, rng.randint(0, 3))
    versions: list[dict] = []
    at = first + timedelta(days=rng.uniform(7, 30))
    for number in range(1, wanted + 1):
        if at > now - timedelta(hours=6):
            break
        completed = at + timedelta(days=rng.uniform(0.5, 4))
        versions.append({"number": number, "at": at, "completed": completed})
        at = completed + timedelta(days=rng.uniform(1, 7))
    for v in versions[:-1]:
        v["status"] = SubmissionStatus.RETURNED
    if versions:
        last = versions[-1]
        roll = rng.random()
        if not allocated or last["completed"] > now or roll < 0.85:
            last["status"], last["completed"] = SubmissionStatus.SUBMITTED, None
        else:
            last["status"] = (
                SubmissionStatus.SIGNED_OFF if roll < 0.95 else SubmissionStatus.RETURNED
            )
    return versions


def build_portfolio(gen: Generation, learner: Learner, cases: list[GeneratedCase]) -> None:
    """A learner's portfolio from their most advanced open case, and its submitted versions
    with their assessments."""
    if not cases:
        return
    chosen = sorted(cases, key=lambda c: (-len(c.plan.events), c.id))[:CASES_IN_PORTFOLIO]
    first = min(c.created_at for c in chosen)
    (portfolio_id,) = gen.writer.ids(Portfolio.__table__, 1)
    gen.add(
        Portfolio.__table__,
        {"id": portfolio_id, "learner_id": learner.id, "unit_id": gen.unit_id, "created_at": first},
    )
    versions = _versions(gen, first, learner.assessor_id is not None)
    confirm_before = versions[-1]["at"] if versions else first
    items = _item_rows(gen, portfolio_id, learner, chosen, confirm_before)
    contents: dict[tuple[int, str], dict] = {}
    ids = gen.writer.ids(Submission.__table__, len(versions))
    for submission_id, version in zip(ids, versions, strict=True):
        frozen = [i for i in items if i[0] < version["at"] and i[5]]
        if not frozen:
            break
        snapshot = _snapshot(gen, learner, version, frozen, contents)
        digest = snapshot_hash(snapshot)
        # Competent needs evidence: a version that leaves a criterion unmapped is returned,
        # never signed off.
        evidenced = frozenset(m["ref"] for part in snapshot["items"] for m in part["mappings"])
        if version["status"] == SubmissionStatus.SIGNED_OFF and any(
            c.ref not in evidenced for c in gen.criteria
        ):
            version["status"] = SubmissionStatus.RETURNED
        gen.add(
            Submission.__table__,
            {
                "id": submission_id,
                "portfolio_id": portfolio_id,
                "number": version["number"],
                "declared_name": learner.name,
                "declared_on": version["at"].date(),
                "submitted_at": version["at"],
                "snapshot": snapshot,
                "snapshot_hash": digest,
                "status": version["status"],
            },
        )
        marking.assess(gen, learner, submission_id, version, digest, evidenced)


def _snapshot(gen: Generation, learner: Learner, version: dict, items, contents) -> dict:
    parts = []
    for _created, item_id, case, source, title, mapped in items:
        key = (case.id, source)
        if key not in contents:
            contents[key] = item_content(case.kit, case.plan, source)
        parts.append(
            {
                "id": item_id,
                "kind": EvidenceKind.SIMULATED.value,
                "source": source,
                "case_id": case.id,
                "source_ref": "",
                "scenario": case.kit.spec.title,
                "title": title,
                "description": f"From the simulated case {case.kit.spec.title}.",
                "occurred_on": case.created_at.date().isoformat(),
                "content": contents[key],
                "mappings": mapped,
            }
        )
    return {
        "format": 1,
        "learner": {"id": learner.id, "name": learner.name, "email": learner.email},
        "centre": gen.centre_name,
        "unit": gen.unit_outline,
        "items": parts,
        "declaration": {"name": learner.name, "date": version["at"].date().isoformat()},
        "number": version["number"],
    }
