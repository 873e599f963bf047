"""Operations: settings, logs and redaction, metrics, the audit trail, the error hierarchy."""
