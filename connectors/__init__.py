"""Feed connectors: poll RSS/Atom feeds, fetch new items' article pages and publish them as RawPage records.

The connector knows nothing of Faust: it talks to Kafka only through `connectors.publisher` (kafka-python).
"""
