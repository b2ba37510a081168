"""Evidence: items made from case records, workplace uploads and assessor records; criteria
mapping; the tracking grid; and submission as immutable, versioned snapshots."""
