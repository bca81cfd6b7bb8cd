# tests/apcminid.mk
