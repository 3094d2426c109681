"""The pure planning core: plain data in, plain data out; no Django, no app."""
