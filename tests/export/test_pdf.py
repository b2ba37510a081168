"""The PDF a download gives: complete (pdftotext finds the key content), A4 with page numbers,
PDF/A, charts as vector graphics, workplace images in place."""

import re
from io import BytesIO

from pypdf import PdfReader

from portfolio.extensions import db
from portfolio.review.log import latest_hash
from tests.conftest import login
from tests.export.conftest import JUSTIFICATION, LETTER_MARK, REFLECTION, pdfinfo, pdftotext


def _flat(text: str) -> str:
    """Text with every run of whitespace as one space, so wrapped lines still match."""
    return " ".join(text.split())


def _download(client, world):
    """The learner's download: the response (closed) and its body."""
    login(client, world.learner)
    response = client.get(f"/export/submissions/{world.submission.id}.pdf")
    assert response.status_code == 200
    data = response.get_data()
    response.close()  # the file is streamed from an open handle
    return response, data


def test_download_is_a_complete_a4_pdfa(client, submitted, tmp_path):
    world = submitted
    response, data = _download(client, world)
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"-v{world.submission.number}.pdf" in disposition
    assert data.startswith(b"%PDF-")

    text = _flat(pdftotext(data, tmp_path))
    # The case log's span reads as dates, not ISO text with its offset.
    assert re.search(r"recorded actions?, from \d+ \w{3} \d{4}, \d\d:\d\d to ", text), text
    assert "+00:00" not in text, text[text.index("+00:00") - 300 : text.index("+00:00") + 50]
    # An item's date reads as the app prints dates (the workplace upload is dated 5 January).
    assert "Dated 5 Jan 2026." in text and "Dated 2026-" not in text
    # The IQA's stage reads as the app says it, not as a lower-case code in brackets.
    assert "Stage Summative sample" in text and "(summative)" not in text
    # A simulated item names its case once, not again in a default description below.
    assert "From the simulated case" not in text
    assert "A redacted CRM screen from my own workplace." in text  # a real description stays
    # The uploaded file's size in bytes (under 1 KB), not "0.1 KB" or "0.0 KB".
    upload = next(i for i in world.submission.snapshot["items"] if i["source"] == "upload")
    assert upload["content"]["file"]["size"] < 1024
    assert f"{upload['content']['file']['size']} bytes" in text, text
    snap = world.submission.snapshot
    reply = next(i for i in snap["items"] if i["source"] == "resolution")["content"][
        "correspondence"
    ][0]["reply"]
    expected = [
        world.learner.full_name,  # learner
        "Alpha Centre",  # centre
        "Unit HRCC: Handle referred customer complaints",  # qualification and unit
        "Version 1",
        "Signed off",
        "1.1",
        "2.4",
        "4.5",  # criteria refs
        JUSTIFICATION,  # the learner's justification
        LETTER_MARK,  # the final response letter
        _flat(reply)[:80],  # the customer's reply
        "Give the repair notes an owner",  # a recommendation
        "My own answer on 4.",  # knowledge answers
        REFLECTION,  # the reflection
        "SIMULATED EVIDENCE",
        "WORKPLACE EVIDENCE",
        "ASSESSOR EVIDENCE",  # every item's label
        "workplace-screen-1.png",  # the uploaded file is listed
        "Feedback on 2.4: well evidenced.",  # the assessor's feedback per criterion
        "Clear, well-evidenced work.",  # overall feedback
        "Sound decisions.",  # the IQA's record
        "The evidence for this is thin.",
        "Add a sentence on the ombudsman referral rights.",
        "Learner: declaration of authenticity",  # sign-offs
        "Assessor: signed off",
        world.assessor.full_name,
        world.iqa.full_name,
        "Page 1 of",  # footer
        latest_hash(),  # the decision-log hash to verify
        world.submission.snapshot_hash,
        "Case opened (scenario version 1)",  # the case log
        "Appendix: case logs in full",
    ]
    missing = [phrase for phrase in expected if phrase not in text]
    assert not missing, f"not in the PDF: {missing}"
    # Contents with page numbers: the tracking grid's entry ends in its page number.
    assert re.search(r"Tracking grid \.{5,} ?\d+", text)

    info = pdfinfo(data, tmp_path)
    assert re.match(r"595\.2\d* x 841\.8\d* pts \(A4\)", info["Page size"]), info["Page size"]
    pages = int(info["Pages"])
    assert pages >= 10
    assert f"Page {pages} of {pages}" in text
    assert info["Title"] == f"Portfolio of {world.learner.full_name}: unit HRCC, version 1"
    assert info["Author"] == world.learner.full_name

    reader = PdfReader(BytesIO(data))
    assert len(reader.pages) == pages
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert reader.trailer["/Root"]["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"


def _image_count(data: bytes) -> int:
    """Distinct raster images in the PDF (pages share one resource dictionary)."""
    reader = PdfReader(BytesIO(data))
    images = set()
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject") or {}
        for ref in xobjects.values():
            if ref.get_object().get("/Subtype") == "/Image":
                images.add(ref.idnum)
    return len(images)


def test_charts_are_vector_and_the_workplace_image_is_in_place(client, submitted, tmp_path):
    data = _download(client, submitted)[1]
    text = _flat(pdftotext(data, tmp_path))
    # A chart's axis labels and legend come out as text: drawn as vectors, not pasted as images.
    assert "Cumulative %" in text and "80% line" in text
    # The only raster image is the learner's uploaded PNG.
    assert _image_count(data) == 1


def test_an_image_changed_on_disk_is_not_shown(client, submitted, app, tmp_path):
    from pathlib import Path

    world = submitted
    upload = next(i for i in world.submission.snapshot["items"] if i["source"] == "upload")
    path = Path(app.config["UPLOAD_DIR"]) / upload["content"]["file"]["stored_name"]
    path.write_bytes(path.read_bytes() + b"tampered")
    data = _download(client, world)[1]
    assert _image_count(data) == 0
    assert "no longer matches the SHA-256" in _flat(pdftotext(data, tmp_path))


def test_returned_version_without_iqa_says_so(client, app, world, pdf_cache, tmp_path):
    from tests.export import builders

    world.submission = builders.build_submission(world.learner, analyses=0, uploads=0)
    builders.sign_off(world.submission, world.assessor, not_yet=("2.4",))
    db.session.commit()
    text = _flat(pdftotext(_download(client, world)[1], tmp_path))
    assert "Returned for resubmission" in text
    assert "Not yet competent" in text
    assert "This version has not been sampled by an internal quality assurer." in text


def test_the_bookmarks_list_the_parts_and_items(client, submitted):
    """The PDF's outline: parts, with each evidence item under Evidence; not each item's
    'Mapped to', 'The evidence as submitted' and paragraph-long knowledge questions."""
    data = _download(client, submitted)[1]
    titles = []

    def walk(outline):
        for entry in outline:
            if isinstance(entry, list):
                walk(entry)
            else:
                titles.append(entry.title)

    walk(PdfReader(BytesIO(data)).outline)
    assert "Evidence" in titles and "Tracking grid" in titles and "Decision log" in titles
    assert any(t.startswith("E1 ") for t in titles)
    assert "Mapped to" not in titles and "The evidence as submitted" not in titles
    assert not any(t.startswith("4.1:") for t in titles)


def test_a_recommendations_empty_optional_fields_read_as_in_the_app(
    client, world, pdf_cache, tmp_path, monkeypatch
):
    """A recommendation may leave 'how it addresses the root cause' (the case's saved root
    cause stands) and 'other customers' empty; the PDF printed each label over a blank."""
    from tests.export import builders

    save = builders.improvement.save_recommendation

    def without_optional_fields(case, *, fields, **kwargs):
        return save(case, fields={**fields, "root_cause_link": "", "other_customers": ""}, **kwargs)

    monkeypatch.setattr(builders.improvement, "save_recommendation", without_optional_fields)
    world.submission = builders.build_submission(world.learner, uploads=0)
    db.session.commit()

    text = _flat(pdftotext(_download(client, world)[1], tmp_path))
    assert "Root cause The case’s saved root cause Other customers —" in text
