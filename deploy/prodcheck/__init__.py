"""`make prod-check`: deploy/'s production layout, up and used on this machine."""
