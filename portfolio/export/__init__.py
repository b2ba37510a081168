"""Portfolio PDF export: a plain-data context, a print template, WeasyPrint behind a fetcher that
serves only our own static files, a cache keyed by what the PDF shows, and cohort bulk export."""
