"""Risk: signals per body, certified organization and auditor with their evidence, a weighted score, early
warnings routed to the responsible regulator, and consumer alerts (消费警示) signed into the log."""
