"""Intelligence rules: pure functions over sightings (slow/stopped, circling, frequent nights, hotlist,
exclusions) and the engine that turns their verdicts into deduplicated `Flag` rows for officer review.

Rules never decide anything about a person: a flag is an assessment an officer must review before any
action (DPA 2018 s.50A-50D). Every flag stores a plain-English explanation of the facts behind it.
"""
