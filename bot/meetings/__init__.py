"""Meetings in the pure domain: the meeting as plain values and its rules (`meeting`), the
details form (`form`), and what is posted about it (`posts`)."""
