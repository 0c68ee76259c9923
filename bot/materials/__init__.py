"""Material baskets: each theme has a basket and the network has one of its own (`all`).

Pure functions over plain values, by noun: a material (`material`: address, title, tags, the
answers to saving), searching the baskets (`search`), the list (`listing`), and the modal that
saves a message from a conversation (`form`).
"""
