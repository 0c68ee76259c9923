"""Material baskets: each theme has a basket and the network has one of its own (`all`)."""
