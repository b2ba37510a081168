"""Demo data: the large demo centre that scale tests and the page benchmark run on."""
