"""The Home tab: what it shows (`data`), drawn as Block Kit (`tab`), its forms (`forms`), and
the welcome a person gets on joining a theme channel (`welcome`)."""
