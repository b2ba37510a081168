"""Text bound for a spreadsheet (the CSV and XLSX downloads, the bulk export's manifest)."""

#: Every CSV download begins with the UTF-8 byte-order mark, which Excel needs to read names
#: such as Zoë as typed rather than as Windows-1252 ("ZoÃ«").
CSV_BOM = "\ufeff"


def inert(value: str) -> str:
    """Spreadsheet programs run cells that start with = + - @ (CSV injection): a leading
    apostrophe makes such a cell plain text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
