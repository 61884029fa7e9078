"""The evaluation of municipal mechanisms (МУМ): campaigns, the primary data form, experts, reconciliation,
the chair's decisions, appeals and the conclusion (issue 16)."""
