"""The signed-in home page: a dashboard for each role."""
