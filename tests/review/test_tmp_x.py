def test_x(submitted):
    from portfolio.review import queries
    print("SUMMARY", queries.queue_summary(submitted.assessor))
