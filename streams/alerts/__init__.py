"""Alert stage: decides which events are new and publishes notices."""
