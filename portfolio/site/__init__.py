"""Site administration: centres and their first admins."""
