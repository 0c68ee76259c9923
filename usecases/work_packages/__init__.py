"""`status`, `update` and `wp add`: how the work packages stand, and changing them."""
