"""Reading the config file, derived from the model in bot/core/config.py.

rules: the base of the rule classes whose keys make up a tier's ``when`` mapping.
"""
