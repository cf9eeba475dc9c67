"""Sizes every door enforces alike (API schemas, forms and services)."""

DESCRIPTION_MAX = 5000
TITLE_MAX = 200
COMMENT_MAX = 2000
NAME_MAX = 100
ADDRESS_MAX = 200
PARTIES_MAX = 50
PEOPLE_MAX = 100_000
AMOUNT_MAX = 10**11
