"""Partnership Atlas: pharma and biotech news into organisations and deals."""
