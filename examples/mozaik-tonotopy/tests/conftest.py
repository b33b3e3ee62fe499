"""mozaik.testing provides the fixtures and the contract suites."""

pytest_plugins = ["mozaik.testing"]
