"""In-app notifications: a user's inbox, and the unread count in the page header."""
