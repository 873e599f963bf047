"""Reading the config file, derived from the model in bot/core/config.py.

fields: the ``doc`` metadata each model field carries, and how the model is walked.
rules: the base of the rule classes whose keys make up a tier's ``when`` mapping.
derive: the JSON Schema, from the model. build: the model, from a validated file.
explain: schema violations as sentences. checks: the rules JSON Schema cannot express.
"""
