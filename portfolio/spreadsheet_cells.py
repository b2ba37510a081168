"""Text bound for a spreadsheet (the CSV and XLSX downloads, the bulk export's manifest)."""


def inert(value: str) -> str:
    """Spreadsheet programs run cells that start with = + - @ (CSV injection): a leading
    apostrophe makes such a cell plain text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
