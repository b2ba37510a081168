"""Subject-matter checks on the bundled scenarios: the facts a learner reads in one place (summary,
referral, stakeholder answers, assessor notes) agree with the case file and the complaint log."""

import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from portfolio.analysis import AnalysisParams, LogRow, trend
from portfolio.scenarios.loader import DEFAULT_DIR, load_scenario_dir
from portfolio.scenarios.schema import Scenario


@cache
def bundled(slug: str) -> Scenario:
    return load_scenario_dir(DEFAULT_DIR / slug)


def document(scenario: Scenario, document_id: str) -> str:
    found = scenario.document(document_id)
    assert found is not None, document_id
    return found.content


def monthly(scenario: Scenario, category: str) -> list[int]:
    counts: Counter[str] = Counter()
    for row in scenario.log_rows:
        if row.category == category:
            counts[row.month] += row.count
    return [counts[month] for month in scenario.complaint_log.months]


def growth_pct(values: list[int]) -> int:
    return round((values[-1] - values[0]) * Decimal(100) / values[0])


# --- Insurance: Meridian --------------------------------------------------------------------------


def test_insurance_daughter_calls_match_the_contact_notes() -> None:
    """The notes show three chases: Mrs Whitfield on 30 July, then Sarah on 10 and 20 August. The
    summary, referral and Sarah's introduction said Sarah had rung three times."""
    spec = bundled("insurance-claim-delay")
    notes = document(spec, "contact-notes")
    chases = re.findall(r"\*\*Chase \d\.\*\*", notes)
    sarah_rows = [line for line in notes.splitlines() if "Caller: Sarah Whitfield" in line]
    assert len(chases) == 3
    assert len(sarah_rows) == 2

    sarah = next(s for s in spec.stakeholders if s.id == "sarah-whitfield")
    told = " ".join([spec.summary, spec.referral.reason, sarah.intro])
    assert "rung three times" not in told
    assert "third time" not in spec.referral.reason
    assert "rung twice" in sarah.intro
    assert "chased three times" in spec.summary


def test_insurance_insight_growth_figures_match_the_log() -> None:
    spec = bundled("insurance-claim-delay")
    delays = growth_pct(monthly(spec, "Claim delays"))
    informed = growth_pct(monthly(spec, "Not kept informed"))

    assert (delays, informed) == (60, 68)
    # 52 → 83 is +59.6%, so "each up over 60%" was wrong.
    assert "over 60%" not in spec.complaint_log.insight
    assert f"up {delays}% and {informed}%" in spec.complaint_log.insight


def test_insurance_approval_does_not_claim_what_was_not_asked_for() -> None:
    """The manager approves any total up to £1,500, with or without the claim acceptance, so the
    message must not say the claim acceptance was signed off when it was not in the request."""
    message = bundled("insurance-claim-delay").authorisation.approve_message
    assert "signed off the claim acceptance" not in message
    assert "exactly what you" in message


# --- Energy: BrightHome ---------------------------------------------------------------------------


def test_energy_every_read_request_letter_in_the_crm_is_in_the_archive() -> None:
    """Ms Carter says (complaint, 13 July call, her answers) that a letter in November 2025 prompted
    her emailed reading of 20 November, and the archive note says a letter goes every 6 months with
    no accepted read; the archive and the CRM had no letter between May 2025 and May 2026."""
    spec = bundled("energy-back-bill")
    crm = re.findall(
        r"^\| (\d\d \w{3} \d{4}) [\d:]+ \| Letter \| System \| Read request \| Read-request "
        r"letter (RR\d) sent",
        document(spec, "crm-history"),
        re.MULTILINE,
    )
    archive = re.findall(
        r"^## Letter \d: template (RR\d), sent (\d{1,2} \w+ \d{4})$",
        document(spec, "read-request-letters"),
        re.MULTILINE,
    )

    # Compare template, month and year ("05 Nov 2024" in the CRM, "5 November 2024" in the archive).
    in_crm = [(template, date.split()[1], date.split()[2]) for date, template in crm]
    in_archive = [(template, date.split()[1][:3], date.split()[2]) for template, date in archive]
    assert in_crm == in_archive
    assert ("RR2", "Nov", "2025") in in_crm
    assert "All four were generated" in document(spec, "read-request-letters")
    metering = next(s for s in spec.stakeholders if s.id == "metering-lead")
    readings = next(q for q in metering.questions if q.id == "customer-readings")
    assert "four times" in readings.answer


def test_energy_referral_counts_her_contacts_as_the_notes_do() -> None:
    """13 July call, 24 July email, 12 August webchat, 27 August call: the 27 August call is her
    fourth contact and only her second call, not her 'third call' or 'third contact'."""
    spec = bundled("energy-back-bill")
    crm = document(spec, "crm-history")
    disputes = [
        line
        for line in crm.splitlines()
        if re.match(r"^\| (13 Jul|24 Jul|12 Aug|27 Aug) 2026", line)
    ]
    assert len(disputes) == 4

    assert spec.referral.trigger.startswith("Fourth contact")
    assert "third call" not in spec.referral.history
    assert "Three advisers" not in spec.referral.reason
    assert "Third contact" not in crm


# --- Telecoms: Fibrelink --------------------------------------------------------------------------


def test_telecoms_approval_holds_for_any_approvable_request() -> None:
    """The manager approves any total up to £150. The price override alone (£0, authorisation
    required) is not over the £75 limit, and free months (£96) have no goodwill band, so the
    message may not say either."""
    spec = bundled("telecoms-billing")
    message = spec.authorisation.approve_message
    assert spec.remedy("honour-price").amount == 0
    assert "over your £75 limit" not in message
    assert "sits properly in band 2" not in message
    assert "no free months in place of a refund" in message


def test_telecoms_september_bill_is_not_refunded_twice() -> None:
    """The £60 refund already includes September's £12 (bill of 1 September, Direct Debit on the
    15th); reissuing that bill is how it is put right, not a further £12."""
    spec = bundled("telecoms-billing")
    statements = document(spec, "billing-statements")
    assert "| 01/09/2026 | 30952014 | Fibre 150 Unlimited | £44.00 |" in statements
    assert spec.remedy("refund-overcharge").amount == 5 * 12

    billing = next(s for s in spec.stakeholders if s.id == "billing-lead")
    correction = next(q for q in billing.questions if q.id == "correction")
    assert "part of the same refund, not extra" in correction.answer
    assert any("not an extra £12" in item for item in spec.guidance.fair_remedies)


def test_telecoms_questions_do_not_state_the_finding() -> None:
    """A learner sees the question bank before asking; a question may not assert that billing
    rejected the discount code, which only the provisioning log shows."""
    spec = bundled("telecoms-billing")
    texts = [q.text for s in spec.stakeholders for q in s.questions]
    assert not [t for t in texts if "rejected the code" in t or "discount code can't" in t]


# --- Bank: Northgate ------------------------------------------------------------------------------


def test_bank_manager_messages_hold_for_any_request_they_answer() -> None:
    """Any total up to £300 is approved, with or without the interest removal or a distress
    payment, and the decline (over £300) comes whether or not the £12 fee was included."""
    spec = bundled("bank-breathing-space")
    approve = spec.authorisation.approve_message
    decline = spec.authorisation.decline_message
    assert "payment are right" not in approve
    assert "if your remedy leaves either out" in approve
    assert "if your remedy refunds the £12" in decline


def test_bank_collections_lead_times_match_the_notification_record() -> None:
    """The marker went on at 11:02:40, so 'before eleven' contradicted the record."""
    spec = bundled("bank-breathing-space")
    record = document(spec, "breathing-space-notification")
    assert "| 03/03/2026 11:02:40 | Horizon (legacy core banking) |" in record

    lead = next(s for s in spec.stakeholders if s.id == "collections-lead")
    answer = next(q for q in lead.questions if q.id == "notification-handling").answer
    assert "before eleven" not in answer


# --- Retail: HomeNest -----------------------------------------------------------------------------


def test_retail_insight_reads_the_contractor_flag_against_its_share_of_the_work() -> None:
    """Swiftfit took over every installation in England and Wales on 1 April, so most complaints
    being Swiftfit jobs is expected; the guide must point assessors at the trend and at the flat
    count on the jobs Kingsway kept, which the log shows, not at the flag share alone."""
    spec = bundled("retail-faulty-goods")
    unflagged: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    for row in spec.log_rows:
        if row.category == "Faulty after installation":
            (flagged if "swiftfit" in row.flags else unflagged)[row.month] += row.count
    months = spec.complaint_log.months

    assert flagged[months[0]] == 0
    total = sum(flagged.values()) + sum(unflagged.values())
    assert {unflagged[m] for m in months[1:]} <= {3, 4, 5}
    assert round(sum(flagged.values()) * 100 / total) == 83

    insight = spec.complaint_log.insight
    assert "that share alone proves little" in insight
    assert "stay at 3 to 5 a month" in insight
    assert "step change from April" not in insight


# --- Deadlines: the case clock shows day numbers only ---------------------------------------------

# Day 0 of each scenario: the complaint's first receipt, as its own documents record it.
DAY_ZERO = {
    "bank-breathing-space": date(2026, 7, 30),  # the adviser's letter received
    "energy-back-bill": date(2026, 7, 13),  # first call disputing the bill
    "insurance-claim-delay": date(2026, 7, 2),  # complaint logged
    "retail-faulty-goods": date(2026, 8, 22),  # first call rejecting the machine
    "telecoms-billing": date(2026, 8, 3),  # first contact about the price
}


def test_each_scenario_dates_its_day_zero_as_its_documents_do() -> None:
    """The case header shows today's date from clock.day_zero: it must be the day the
    scenario's own documents give for the complaint's first receipt."""
    for slug, day_zero in DAY_ZERO.items():
        assert bundled(slug).clock.day_zero == day_zero.isoformat(), slug


def test_deadline_labels_give_the_calendar_date_of_their_day() -> None:
    """The case pages show 'Day 53', while referrals, letters and replies speak in dates
    ('by 27 August'); a label that names its date lets the learner match the two, and the date
    must be the one its day falls on."""
    for slug, day_zero in DAY_ZERO.items():
        spec = bundled(slug)
        for deadline in spec.regime.deadlines:
            if "sent on day 1" in deadline.label:
                continue  # the insurance acknowledgement, long before the case reaches the learner
            due = day_zero + timedelta(days=deadline.day)
            assert f"{due.day} {due:%B}" in deadline.label, (slug, deadline.id, due)


def test_telecoms_summary_does_not_contradict_the_deadlock_rule() -> None:
    """The rules say an ADR letter is due at deadlock or 8 weeks, whichever comes first, and that
    closing a complaint as not upheld is deadlock, which happened on 28 August; so the summary may
    not say Fibrelink has 8 weeks before it must tell her about the ombudsman."""
    spec = bundled("telecoms-billing")
    assert any("counts as deadlock" in rule for rule in spec.regime.rules)
    assert "closed as not upheld on 28 August" in spec.referral.reason
    assert "before it must tell her about the ombudsman" not in spec.summary
    assert "at 8 weeks she can take it to the ombudsman" in spec.summary


# --- Requirements: what the checklist promises is what is checked ---------------------------------


def test_ombudsman_requirement_checklists_claim_no_more_than_the_phrases_check() -> None:
    """The marking check prints '<checklist>: yes ("<phrase>")', so a checklist that also promises
    'free of charge' or 'whether the offer stays open' reads as met when only the ombudsman's name
    was found. Those points stay on the letter checklist, where they are judged by the assessor."""
    for slug, requirement_id in [
        ("energy-back-bill", "ombudsman-rights"),
        ("telecoms-billing", "ombudsman-rights"),
        ("bank-breathing-space", "fos-rights"),
    ]:
        spec = bundled(slug)
        requirement = next(r for r in spec.customer_reply.requirements if r.id == requirement_id)
        phrases = " ".join(requirement.any_of or ()).lower()
        assert "free" not in phrases and "offer" not in phrases
        assert "free of charge" not in requirement.checklist, slug
        assert "offer stays" not in requirement.checklist, slug
        assert "free" in " ".join(spec.letter_checklist), slug


def test_telecoms_approval_still_opens_with_approved() -> None:
    """The flash reads 'Authorised: ' plus the message, and the case pages and journeys look for
    'Authorised: Approved.'; the rewritten message had opened 'Approved for what you've asked
    for'."""
    message = bundled("telecoms-billing").authorisation.approve_message
    assert message.startswith("Approved. ")


def test_telecoms_insight_dates_the_rise_as_the_log_and_the_case_file_do() -> None:
    """A retention price starts from the customer's next bill (Mrs Nair's first wrong bill was on
    1 May), so the rise cannot start in April, and the app's trend test puts the step change in June
    (44 to 52), which the assessor guide should name rather than 'the rise starts in April'."""
    spec = bundled("telecoms-billing")
    rows = [LogRow(r.month, r.category, r.count, r.cost) for r in spec.log_rows]
    price = next(t for t in trend(rows, AnalysisParams()) if t.category == "Price not as agreed")
    assert price.step is not None and price.step.month == "2026-06"
    assert (price.values[2], price.values[3]) == (44, 52)

    insight = spec.complaint_log.insight
    assert "rise starts in April" not in insight
    assert "largest jump in June (44 to 52" in insight


def test_retail_insight_names_the_delivery_step_the_analysis_page_shows() -> None:
    """The complaint analysis page marks a step change in Delivery delays in July; the assessor
    guide said nothing of it, so a learner who reported it had nothing to be weighed against."""
    spec = bundled("retail-faulty-goods")
    rows = [LogRow(r.month, r.category, r.count, r.cost) for r in spec.log_rows]
    steps = {t.category: t.step.month for t in trend(rows, AnalysisParams()) if t.step}
    assert steps == {"Delivery delays": "2026-07"}
    assert monthly(spec, "Delivery delays")[3:] == [98, 120, 150]
    assert "step change in Delivery delays in July (98 to 120" in spec.complaint_log.insight


def test_insurance_insight_names_the_delay_step_the_analysis_page_shows() -> None:
    spec = bundled("insurance-claim-delay")
    rows = [LogRow(r.month, r.category, r.count, r.cost) for r in spec.log_rows]
    steps = {t.category: t.step.month for t in trend(rows, AnalysisParams()) if t.step}
    assert steps == {"Claim delays": "2026-06"}
    assert monthly(spec, "Claim delays")[2:4] == [61, 70]
    assert "in claim delays in June (61 to 70)" in spec.complaint_log.insight


def test_insurance_authority_answer_counts_what_the_limit_counts() -> None:
    """The £250 limit is checked against the remedy's total, which includes the £930 disturbance
    allowance (a policy payment, not compensation); the team leader said the limit covered only
    'compensation or goodwill payments', so a learner could fairly send the allowance unapproved."""
    spec = bundled("insurance-claim-delay")
    assert spec.remedy("disturbance-allowance").amount == 930
    assert spec.authority_limit == 250
    leader = next(s for s in spec.stakeholders if s.id == "team-leader")
    answer = next(q for q in leader.questions if q.id == "authority").answer
    assert "in compensation or goodwill payments" not in answer
    assert "claim payments such as an allowance" in answer


def test_insurance_summary_does_not_steer_the_remedy_inside_the_limit() -> None:
    """A fair remedy here (£930 allowance and £400 compensation, plus the claim acceptance) is far
    beyond the £250 limit; 'put things right within your authority' pointed learners at the weak,
    within-limit answers the guide lists."""
    spec = bundled("insurance-claim-delay")
    fair_total = sum(r.amount for r in spec.remedies if r.fair)
    assert fair_total > spec.authority_limit
    assert "within your authority" not in " ".join(spec.summary.split())
    assert "approval for anything beyond your authority" in " ".join(spec.summary.split())
