"""Request-level defences: client address, rate limits, body limits, write retries, security headers, audit."""
