"""Pure domain: release dates, checklist plans, visit rules, cadence. No I/O, no clock, no framework."""
