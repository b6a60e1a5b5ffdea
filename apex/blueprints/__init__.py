"""One blueprint per area: same word for module, URL prefix and template folder."""
