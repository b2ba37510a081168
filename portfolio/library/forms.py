"""Upload form for a centre's own scenario."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from portfolio.scenarios.zipfiles import MAX_UPLOAD_BYTES


class UploadForm(FlaskForm):
    archive = FileField(
        "Scenario zip file",
        validators=[FileRequired("Choose a zip file to upload.")],
        description=(
            "A zip of one scenario folder: scenario.yaml, complaint_log.csv and documents/. "
            f"At most {MAX_UPLOAD_BYTES // 2**20} MB. Nothing is stored unless every file is valid."
        ),
    )
