"""The core: the event vocabulary, clocks, the event bus, errors, secret scrubbing, fault types and the one reducer."""
