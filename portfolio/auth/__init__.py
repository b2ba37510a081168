"""Sign-in, sign-out, password changes and throttling."""
